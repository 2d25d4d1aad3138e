package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.herald.delivery.AttemptResult;

/**
 * What an attempt means for its delivery: delivered, retried at {@code nextAttemptAt}, or failed for good.
 */
public record Outcome(ClaimedDelivery delivery, AttemptResult attempt, DeliveryState next, Instant nextAttemptAt) {

    /** Decides the next state from the retry schedule (waits after the 1st, 2nd, ... failure). */
    static Outcome of(ClaimedDelivery delivery, AttemptResult attempt, List<Duration> retrySchedule) {
        if (attempt.succeeded()) {
            return new Outcome(delivery, attempt, DeliveryState.DELIVERED, null);
        }
        if (delivery.attemptNumber() >= delivery.attemptLimit()) {
            return new Outcome(delivery, attempt, DeliveryState.FAILED, null);
        }
        // attempts left in this round: the wait is the one for the round's n-th failure
        int failuresInRound = retrySchedule.size() + 1 - (delivery.attemptLimit() - delivery.attemptNumber());
        Duration wait = retrySchedule.get(Math.max(0, Math.min(failuresInRound - 1, retrySchedule.size() - 1)));
        Instant finishedAt = attempt.attemptedAt().plusMillis(attempt.durationMs());
        return new Outcome(delivery, attempt, DeliveryState.PENDING, finishedAt.plus(wait));
    }
}
