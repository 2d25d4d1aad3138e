package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.AttemptSettings;
import dev.herald.webhook.SealedAccess;

class OutcomeTest {

    private static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(10));
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private static final AttemptResult FAILED = new AttemptResult(250, 500, "http_500", "");
    private static final AttemptResult OK = new AttemptResult(250, 200, null, "");

    @Test
    void failuresWaitPerTheScheduleAsDurationsTheDatabaseAdds() {
        assertEquals(Duration.ofSeconds(4), Outcome.of(claimed(1, 4), FAILED).retryAfter());
        assertEquals(Duration.ofSeconds(8), Outcome.of(claimed(2, 4), FAILED).retryAfter());
        assertEquals(Duration.ofSeconds(10), Outcome.of(claimed(3, 4), FAILED).retryAfter());
        Outcome last = Outcome.of(claimed(4, 4), FAILED);
        assertEquals(DeliveryState.FAILED, last.next());
        assertNull(last.retryAfter());
    }

    @Test
    void aReplayStartsTheScheduleOver() {
        // replayed after 4 attempts: the limit is now 8, attempt 5 is the round's first
        assertEquals(Duration.ofSeconds(4), Outcome.of(claimed(5, 8), FAILED).retryAfter());
        assertEquals(Duration.ofSeconds(10), Outcome.of(claimed(7, 8), FAILED).retryAfter());
        assertEquals(DeliveryState.FAILED, Outcome.of(claimed(8, 8), FAILED).next());
    }

    @Test
    void successIsFinal() {
        assertEquals(DeliveryState.DELIVERED, Outcome.of(claimed(3, 4), OK).next());
    }

    @Test
    void aReceiversPauseLongerThanTheWaitPostponesTheRetry() {
        AttemptResult tooMany = new AttemptResult(5, 429, "http_429", "", Duration.ofSeconds(30));
        Outcome outcome = Outcome.of(claimed(1, 4), tooMany);
        assertEquals(Duration.ofSeconds(30), outcome.retryAfter());
        assertEquals(Duration.ofSeconds(30), outcome.pauseEndpoint());
    }

    @Test
    void aWebhooksOwnScheduleSetsItsWaitsAndItsAttempts() {
        AttemptSettings own = new AttemptSettings(List.of(Duration.ofSeconds(1), Duration.ofMinutes(2)), 0,
                Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(1), Outcome.of(claimed(1, 3, own), FAILED).retryAfter());
        assertEquals(Duration.ofMinutes(2), Outcome.of(claimed(2, 3, own), FAILED).retryAfter());
        assertEquals(DeliveryState.FAILED, Outcome.of(claimed(3, 3, own), FAILED).next());
    }

    @Test
    void jitterShortensAWaitByUpToItsFractionNeverLengthensIt() {
        AttemptSettings jittered = new AttemptSettings(List.of(Duration.ofSeconds(10)), 0.5, Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(10), Outcome.of(claimed(1, 2, jittered), FAILED, 0).retryAfter());
        assertEquals(Duration.ofMillis(7_500), Outcome.of(claimed(1, 2, jittered), FAILED, 0.5).retryAfter());
        Set<Duration> waits = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration wait = Outcome.of(claimed(1, 2, jittered), FAILED).retryAfter();
            assertTrue(wait.compareTo(Duration.ofSeconds(5)) > 0 && wait.compareTo(Duration.ofSeconds(10)) <= 0,
                    "a wait of 10 s with a jitter of 0.5: " + wait);
            waits.add(wait);
        }
        assertTrue(waits.size() > 100, "jitter spreads the waits: " + waits.size() + " distinct of 200");
    }

    @Test
    void aRetryAfterOnA503IsHonouredUpToTheSchedulesLongestWait() {
        AttemptSettings own = new AttemptSettings(List.of(Duration.ofSeconds(1), Duration.ofSeconds(3)), 0,
                Duration.ofSeconds(5));
        Outcome asked = Outcome.of(claimed(1, 3, own), unavailable(Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(2), asked.retryAfter(), "longer than the scheduled 1 s: honoured");
        assertEquals(Duration.ofSeconds(2), asked.pauseEndpoint(), "the endpoint waits too, as on a 429");
        Outcome tooLong = Outcome.of(claimed(1, 3, own), unavailable(Duration.ofMinutes(10)));
        assertEquals(Duration.ofSeconds(3), tooLong.retryAfter(), "bounded by the schedule's longest wait");
        assertEquals(Duration.ofSeconds(1), Outcome.of(claimed(1, 3, own), unavailable(null)).retryAfter(),
                "without Retry-After: the schedule");
    }

    private static AttemptResult unavailable(Duration retryAfter) {
        return new AttemptResult(5, 503, "http_503", "", retryAfter);
    }

    @Test
    void goneHoldsTheDeliveryAndSwitchesTheWebhookOffEvenOnTheLastAttempt() {
        AttemptResult gone = new AttemptResult(5, 410, "http_410", "");
        Outcome outcome = Outcome.of(claimed(4, 4), gone);
        assertEquals(DeliveryState.PENDING, outcome.next());
        assertTrue(outcome.disableEndpoint());
    }

    @Test
    void anUnsendableDeliveryFailsAtOnceWithAttemptsLeft() {
        Outcome outcome = Outcome.of(claimed(1, 4), AttemptResult.unsendable("no key"));
        assertEquals(DeliveryState.FAILED, outcome.next());
    }

    @Test
    void aClaimGivenBackUnsentIsNotAnAttempt() {
        AttemptResult notSent = new AttemptResult(0, null, "not sent: the claim went stale", null);
        Outcome outcome = Outcome.of(claimed(4, 4), notSent);
        assertEquals(DeliveryState.PENDING, outcome.next(), "not FAILED, though it was the last attempt's claim");
        assertEquals(Duration.ZERO, outcome.retryAfter());
        assertFalse(outcome.sent());
    }

    static ClaimedDelivery claimed(int attempt, int limit) {
        return claimed(attempt, limit, new AttemptSettings(SCHEDULE, 0, Duration.ofSeconds(30)));
    }

    static ClaimedDelivery claimed(int attempt, int limit, AttemptSettings settings) {
        return new ClaimedDelivery(1, 1, 1, 1, attempt, limit, 1, "http://127.0.0.1/", "{}", 0, "enc", null, null, null, null,
                Long.MAX_VALUE, Long.MAX_VALUE, settings, SealedAccess.NONE);
    }
}
