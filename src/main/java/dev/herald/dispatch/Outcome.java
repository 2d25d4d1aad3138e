package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.AttemptSettings;

/**
 * What an attempt means for its delivery: delivered, retried after {@code retryAfter}, or failed for good; and for
 * its endpoint: left alone for {@code pauseEndpoint} (429 or 503 with Retry-After), or switched off
 * ({@code disableEndpoint}, 410 Gone: the delivery is held until the webhook is switched on again). Waits are
 * durations: the database adds them to its own clock, so replicas whose clocks are off still keep the schedule.
 * {@code decidedNanos}: when the outcome was known ({@link System#nanoTime()}); the attempt started its duration
 * before that.
 */
public record Outcome(ClaimedDelivery delivery, AttemptResult attempt, DeliveryState next, Duration retryAfter,
        Duration pauseEndpoint, boolean disableEndpoint, long decidedNanos) {

    Outcome(ClaimedDelivery delivery, AttemptResult attempt, DeliveryState next, Duration retryAfter,
            Duration pauseEndpoint, boolean disableEndpoint) {
        this(delivery, attempt, next, retryAfter, pauseEndpoint, disableEndpoint, System.nanoTime());
    }

    /** How long ago the attempt started, by this replica's monotonic clock: its duration and the wait since. */
    long attemptAgeMillis(long nowNanos) {
        return attempt.durationMs() + (nowNanos - decidedNanos) / 1_000_000;
    }

    /** Decides the next state from the webhook's retry schedule and jitter (its own, or the deployment's). */
    static Outcome of(ClaimedDelivery delivery, AttemptResult attempt) {
        return of(delivery, attempt, ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The same, {@code random} (from 0 up to 1) setting the jitter: a wait is shortened by up to the jitter's fraction
     * of it, never lengthened, so a schedule's total is the most its retries take.
     */
    static Outcome of(ClaimedDelivery delivery, AttemptResult attempt, double random) {
        AttemptSettings settings = delivery.settings();
        List<Duration> retrySchedule = settings.retrySchedule();
        if (!attempt.sent()) {
            return new Outcome(delivery, attempt, DeliveryState.PENDING, Duration.ZERO, null, false);
        }
        if (attempt.succeeded()) {
            return new Outcome(delivery, attempt, DeliveryState.DELIVERED, null, null, false);
        }
        if (attempt.gone()) {
            return new Outcome(delivery, attempt, DeliveryState.PENDING, Duration.ZERO, null, true);
        }
        Duration pause = attempt.tooManyRequests() ? attempt.retryAfter() : null;
        if (attempt.unavailable() && attempt.retryAfter() != null) {
            // a 503's Retry-After is honoured as a 429's, up to the schedule's longest wait
            pause = min(attempt.retryAfter(), settings.longestWait());
        }
        if (attempt.finalAtOnce() || delivery.attemptNumber() >= delivery.attemptLimit()) {
            return new Outcome(delivery, attempt, DeliveryState.FAILED, null, pause, false);
        }
        // attempts left in this round: the wait is the one for the round's n-th failure
        int failuresInRound = retrySchedule.size() + 1 - (delivery.attemptLimit() - delivery.attemptNumber());
        Duration wait = retrySchedule.get(Math.max(0, Math.min(failuresInRound - 1, retrySchedule.size() - 1)));
        wait = Duration.ofNanos((long) (wait.toNanos() * (1 - settings.retryJitter() * random)));
        if (pause != null && pause.compareTo(wait) > 0) {
            wait = pause;
        }
        return new Outcome(delivery, attempt, DeliveryState.PENDING, wait, pause, false);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Whether the request left: a claim given back unsent is not an attempt. */
    boolean sent() {
        return attempt.sent();
    }
}
