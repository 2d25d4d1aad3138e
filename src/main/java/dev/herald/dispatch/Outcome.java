package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.herald.delivery.AttemptResult;

/**
 * What an attempt means for its delivery: delivered, retried at {@code nextAttemptAt}, or failed for good; and
 * for its endpoint: left alone until {@code pauseEndpointUntil} (429 with Retry-After), or disabled
 * ({@code disableEndpoint}, 410 Gone).
 */
public record Outcome(ClaimedDelivery delivery, AttemptResult attempt, DeliveryState next, Instant nextAttemptAt,
        Instant pauseEndpointUntil, boolean disableEndpoint) {

    /** Decides the next state from the retry schedule (waits after the 1st, 2nd, ... failure). */
    static Outcome of(ClaimedDelivery delivery, AttemptResult attempt, List<Duration> retrySchedule) {
        if (attempt.succeeded()) {
            return new Outcome(delivery, attempt, DeliveryState.DELIVERED, null, null, false);
        }
        if (attempt.gone()) {
            return new Outcome(delivery, attempt, DeliveryState.FAILED, null, null, true);
        }
        Instant finishedAt = attempt.attemptedAt().plusMillis(attempt.durationMs());
        Instant pause = attempt.tooManyRequests() && attempt.retryAfter() != null
                ? finishedAt.plus(attempt.retryAfter()) : null;
        if (attempt.blocked() || delivery.attemptNumber() >= delivery.attemptLimit()) {
            return new Outcome(delivery, attempt, DeliveryState.FAILED, null, pause, false);
        }
        // attempts left in this round: the wait is the one for the round's n-th failure
        int failuresInRound = retrySchedule.size() + 1 - (delivery.attemptLimit() - delivery.attemptNumber());
        Duration wait = retrySchedule.get(Math.max(0, Math.min(failuresInRound - 1, retrySchedule.size() - 1)));
        Instant next = finishedAt.plus(wait);
        if (pause != null && pause.isAfter(next)) {
            next = pause;
        }
        return new Outcome(delivery, attempt, DeliveryState.PENDING, next, pause, false);
    }
}
