package dev.herald.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@Slow
@QuarkusTest
class RetryAndReplayTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void failuresRetryAfter4And8And10SecondsThenFailAndReplaySendsAgain() throws Exception {
        receiver.answer("/down", 503, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/down"));
        long event = Events.post(key, Events.notification(7, provider)).get(0);

        var attempts = receiver.await("/down", r -> r.size() == 4, Duration.ofSeconds(40));
        for (int i = 1; i < 4; i++) {
            long gap = Duration.between(attempts.get(i - 1).at(), attempts.get(i).at()).toMillis();
            long expected = List.of(4_000L, 8_000L, 10_000L).get(i - 1);
            assertTrue(gap >= expected && gap < expected + 1_000, "gap " + i + " was " + gap + " ms");
        }
        String messageId = attempts.get(0).headers().get("webhook-id");
        attempts.forEach(a -> assertEquals(messageId, a.headers().get("webhook-id"), "same id on every retry"));
        JsonPath failed = awaitDelivery(webhook, "FAILED");
        assertEquals(4, receiver.at("/down").size(), "no fifth attempt: FAILED is final");
        String delivery = failed.getString("data.deliveries.items[0].id");
        assertEquals(String.valueOf(event), failed.getString("data.deliveries.items[0].eventId"));
        assertEquals(4, failed.getInt("data.deliveries.items[0].attemptCount"));
        assertEquals(List.of(503, 503, 503, 503), failed.getList("data.deliveries.items[0].attempts.statusCode"));
        assertEquals("http_503", failed.getString("data.deliveries.items[0].attempts[3].error"));
        assertEquals("{\"received\":true}", failed.getString("data.deliveries.items[0].attempts[0].responseExcerpt"));

        receiver.answer("/down", 200, Duration.ZERO);
        JsonPath replayed = GraphQL.as(key, "mutation { replayDelivery(deliveryId: \"%s\") { id status } }"
                .formatted(delivery));
        assertEquals(delivery, replayed.getString("data.replayDelivery.id"));
        // a dispatcher may already hold it again by the time the answer is read
        assertTrue(List.of("PENDING", "IN_FLIGHT", "DELIVERED").contains(replayed.getString("data.replayDelivery.status")),
                replayed.prettify());
        var afterReplay = receiver.await("/down", r -> r.size() == 5, Duration.ofSeconds(10));
        assertEquals(messageId, afterReplay.get(4).headers().get("webhook-id"));
        JsonPath delivered = awaitDelivery(webhook, "DELIVERED");
        assertEquals(5, delivered.getInt("data.deliveries.items[0].attemptCount"));
        assertEquals(0, database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                .iterator().next().getInteger(0));
    }

    @Test
    void replayFailedResendsEveryFailedDeliveryOfAWebhookAndOnlyTheOwnersMayAskIt() throws Exception {
        receiver.answer("/gone", 500, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/gone"));
        // fail both deliveries for good at once, as if their retries were spent
        Events.post(key, "[" + Events.notification(1, provider) + "," + Events.notification(2, provider) + "]");
        receiver.await("/gone", r -> r.size() == 2, Duration.ofSeconds(10));
        database.query("UPDATE delivery SET attempt_limit = attempt_count WHERE webhook_id = " + webhook);
        awaitCount(webhook, "FAILED", 2);

        String stranger = GraphQL.newApplication("replay-stranger");
        JsonPath refused = GraphQL.as(stranger, "mutation { replayFailed(webhookId: \"%s\") }".formatted(webhook));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals(0, GraphQL.as(stranger, "{ deliveries(webhookId: \"%s\") { totalCount } }".formatted(webhook))
                .getInt("data.deliveries.totalCount"));

        receiver.answer("/gone", 200, Duration.ZERO);
        assertEquals(2, GraphQL.as(key, "mutation { replayFailed(webhookId: \"%s\") }".formatted(webhook))
                .getInt("data.replayFailed"));
        awaitCount(webhook, "DELIVERED", 2);
    }

    @Test
    void replayingAgainAndAgainCannotOverflowTheAttemptCounter() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/often"));
        Events.post(key, Events.notification(1, provider));
        String delivery = awaitDelivery(webhook, "DELIVERED").getString("data.deliveries.items[0].id");
        // as if it had been replayed some eight thousand times: one attempt short of a smallint's end
        database.query("UPDATE delivery_log SET status = 3, attempt_count = 32767 WHERE delivery_id = " + delivery);

        JsonPath replayed = GraphQL.as(key, "mutation { replayDelivery(deliveryId: \"%s\") { id } }".formatted(delivery));
        assertEquals(delivery, replayed.getString("data.replayDelivery.id"), replayed.prettify());
        receiver.await("/often", r -> r.size() == 2, Duration.ofSeconds(10));
        assertEquals(32768, awaitDelivery(webhook, "DELIVERED").getInt("data.deliveries.items[0].attemptCount"));
    }

    private JsonPath awaitDelivery(String webhook, String status) {
        return awaitCount(webhook, status, 1);
    }

    private JsonPath awaitCount(String webhook, String status, int count) {
        String query = """
                { deliveries(webhookId: "%s", status: %s) { totalCount items { id eventId status attemptCount
                  attempts { attemptedAt durationMs statusCode error responseExcerpt } } } }""".formatted(webhook, status);
        AtomicReference<JsonPath> page = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            page.set(GraphQL.as(key, query));
            assertEquals(count, page.get().getInt("data.deliveries.totalCount"),
                    () -> status + " deliveries: " + page.get().prettify());
        });
        return page.get();
    }
}
