package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** An answer that takes longer than herald.delivery.timeout (2 s in this profile) is a timeout, retried. */
@QuarkusTest
@TestProfile(ManualDispatch.class)
class AttemptDeadlineTest {

    @Inject
    Dispatchers dispatchers;

    @Inject
    Database database;

    @AfterEach
    void releaseEverything() {
        // what this test left pending would be delivered by the next application sharing the database
        database.finishEveryDelivery();
    }

    @Test
    void aSlowAnswerIsCutAtTheDeadlineAndRecordedAsATimeout() throws Exception {
        String key = GraphQL.newApplication("deadline");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/stuck", 200, Duration.ofSeconds(6));
            String webhook = GraphQL.newWebhook(key, provider, receiver.url("/stuck"));
            Events.post(key, Events.notification(1, provider));
            Dispatcher replica = dispatchers.newDispatcher();
            replica.start();
            try {
                receiver.await("/stuck", r -> r.size() == 1, Duration.ofSeconds(10));
                database.awaitCount("delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.webhook_id = "
                        + webhook, 1, Duration.ofSeconds(10));
                var attempt = database.query("SELECT a.error, a.duration_ms, a.status_code, d.status FROM delivery_attempt a"
                        + " JOIN delivery d ON d.id = a.delivery_id WHERE d.webhook_id = " + webhook).iterator().next();
                assertEquals("timeout", attempt.getString(0));
                int durationMs = attempt.getInteger(1);
                assertTrue(durationMs >= 1_900 && durationMs < 4_000, "cut at the 2 s deadline, took " + durationMs);
                assertEquals(null, attempt.getInteger(2));
                assertEquals(DeliveryState.PENDING.code(), attempt.getInteger(3).shortValue(), "a timeout is retried");
            } finally {
                replica.drain(Duration.ofSeconds(10));
            }
        }
    }
}
