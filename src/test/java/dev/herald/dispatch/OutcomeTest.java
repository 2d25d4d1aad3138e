package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;

class OutcomeTest {

    private static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(4), Duration.ofSeconds(8),
            Duration.ofSeconds(10));
    private static final Instant AT = Instant.parse("2026-11-22T10:00:00Z");
    private static final AttemptResult FAILED = new AttemptResult(AT, 250, 500, "http_500", "");
    private static final AttemptResult OK = new AttemptResult(AT, 250, 200, null, "");

    @Test
    void failuresWaitPerTheScheduleCountedFromTheEndOfTheAttempt() {
        assertEquals(AT.plusMillis(4_250), Outcome.of(claimed(1, 4), FAILED, SCHEDULE).nextAttemptAt());
        assertEquals(AT.plusMillis(8_250), Outcome.of(claimed(2, 4), FAILED, SCHEDULE).nextAttemptAt());
        assertEquals(AT.plusMillis(10_250), Outcome.of(claimed(3, 4), FAILED, SCHEDULE).nextAttemptAt());
        Outcome last = Outcome.of(claimed(4, 4), FAILED, SCHEDULE);
        assertEquals(DeliveryState.FAILED, last.next());
        assertNull(last.nextAttemptAt());
    }

    @Test
    void aReplayStartsTheScheduleOver() {
        // replayed after 4 attempts: the limit is now 8, attempt 5 is the round's first
        assertEquals(AT.plusMillis(4_250), Outcome.of(claimed(5, 8), FAILED, SCHEDULE).nextAttemptAt());
        assertEquals(AT.plusMillis(10_250), Outcome.of(claimed(7, 8), FAILED, SCHEDULE).nextAttemptAt());
        assertEquals(DeliveryState.FAILED, Outcome.of(claimed(8, 8), FAILED, SCHEDULE).next());
    }

    @Test
    void successIsFinal() {
        assertEquals(DeliveryState.DELIVERED, Outcome.of(claimed(3, 4), OK, SCHEDULE).next());
    }

    private static ClaimedDelivery claimed(int attempt, int limit) {
        return new ClaimedDelivery(1, 1, 1, attempt, limit, 1, "http://127.0.0.1/", "{}", AT, "enc", null, null);
    }
}
