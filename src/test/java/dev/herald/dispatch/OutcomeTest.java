package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;

class OutcomeTest {

    private static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(10));
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private static final AttemptResult FAILED = new AttemptResult(250, 500, "http_500", "");
    private static final AttemptResult OK = new AttemptResult(250, 200, null, "");

    @Test
    void failuresWaitPerTheScheduleAsDurationsTheDatabaseAdds() {
        assertEquals(Duration.ofSeconds(4), Outcome.of(claimed(1, 4), FAILED, SCHEDULE).retryAfter());
        assertEquals(Duration.ofSeconds(8), Outcome.of(claimed(2, 4), FAILED, SCHEDULE).retryAfter());
        assertEquals(Duration.ofSeconds(10), Outcome.of(claimed(3, 4), FAILED, SCHEDULE).retryAfter());
        Outcome last = Outcome.of(claimed(4, 4), FAILED, SCHEDULE);
        assertEquals(DeliveryState.FAILED, last.next());
        assertNull(last.retryAfter());
    }

    @Test
    void aReplayStartsTheScheduleOver() {
        // replayed after 4 attempts: the limit is now 8, attempt 5 is the round's first
        assertEquals(Duration.ofSeconds(4), Outcome.of(claimed(5, 8), FAILED, SCHEDULE).retryAfter());
        assertEquals(Duration.ofSeconds(10), Outcome.of(claimed(7, 8), FAILED, SCHEDULE).retryAfter());
        assertEquals(DeliveryState.FAILED, Outcome.of(claimed(8, 8), FAILED, SCHEDULE).next());
    }

    @Test
    void successIsFinal() {
        assertEquals(DeliveryState.DELIVERED, Outcome.of(claimed(3, 4), OK, SCHEDULE).next());
    }

    @Test
    void aReceiversPauseLongerThanTheWaitPostponesTheRetry() {
        AttemptResult tooMany = new AttemptResult(5, 429, "http_429", "", Duration.ofSeconds(30));
        Outcome outcome = Outcome.of(claimed(1, 4), tooMany, SCHEDULE);
        assertEquals(Duration.ofSeconds(30), outcome.retryAfter());
        assertEquals(Duration.ofSeconds(30), outcome.pauseEndpoint());
    }

    @Test
    void goneHoldsTheDeliveryAndSwitchesTheWebhookOffEvenOnTheLastAttempt() {
        AttemptResult gone = new AttemptResult(5, 410, "http_410", "");
        Outcome outcome = Outcome.of(claimed(4, 4), gone, SCHEDULE);
        assertEquals(DeliveryState.PENDING, outcome.next());
        assertTrue(outcome.disableEndpoint());
    }

    @Test
    void anUnsendableDeliveryFailsAtOnceWithAttemptsLeft() {
        Outcome outcome = Outcome.of(claimed(1, 4), AttemptResult.unsendable("no key"), SCHEDULE);
        assertEquals(DeliveryState.FAILED, outcome.next());
    }

    @Test
    void aClaimGivenBackUnsentIsNotAnAttempt() {
        AttemptResult notSent = new AttemptResult(0, null, "not sent: the claim went stale", null);
        Outcome outcome = Outcome.of(claimed(4, 4), notSent, SCHEDULE);
        assertEquals(DeliveryState.PENDING, outcome.next(), "not FAILED, though it was the last attempt's claim");
        assertEquals(Duration.ZERO, outcome.retryAfter());
        assertFalse(outcome.sent());
    }

    static ClaimedDelivery claimed(int attempt, int limit) {
        return new ClaimedDelivery(1, 1, 1, 1, attempt, limit, 1, "http://127.0.0.1/", "{}", 0, "enc", null, null, null, null,
                Long.MAX_VALUE, Long.MAX_VALUE);
    }
}
