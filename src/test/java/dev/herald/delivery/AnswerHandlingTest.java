package dev.herald.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Metrics;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Receiver.Behaviour;
import io.quarkus.test.junit.QuarkusTest;

/** What Herald does with the receiver's answer: redirects, huge bodies, 410 Gone, 429 Retry-After. */
@QuarkusTest
class AnswerHandlingTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void redirectsAreNeverFollowed() throws Exception {
        receiver.answer("/moved", new Behaviour(302, Duration.ZERO, Map.of("Location", receiver.url("/target")), ""));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/moved"));
        Events.post(key, Events.notification(1, provider));
        receiver.await("/moved", r -> r.size() == 1, Duration.ofSeconds(10));
        assertEquals("http_302", awaitAttemptError(webhook));
        assertEquals(0, receiver.at("/target").size());
    }

    @Test
    void aHugeAnswerIsReadOnlyUpTo64KiBAndAnExcerptKept() throws Exception {
        receiver.answer("/huge", new Behaviour(200, Duration.ZERO, Map.of(), "x".repeat(5 * 1024 * 1024)));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/huge"));
        Events.post(key, Events.notification(1, provider));
        receiver.await("/huge", r -> r.size() == 1, Duration.ofSeconds(10));
        awaitAttemptError(webhook);
        var attempt = database.query("SELECT a.status_code, length(a.response_excerpt), d.status FROM delivery_attempt a"
                + " JOIN all_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = " + webhook).iterator().next();
        assertEquals(200, attempt.getInteger(0));
        assertEquals(1024, attempt.getInteger(1));
        assertEquals(2, attempt.getInteger(2), "delivered");
    }

    @Test
    void goneSwitchesTheWebhookOffAndHoldsItsDeliveriesUntilItIsSwitchedOnAgain() throws Exception {
        receiver.answer("/gone", new Behaviour(410, Duration.ofMillis(500)));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/gone"));
        Events.post(key, Events.notifications(30, provider));
        // all 30 wait, held: those in flight when the 410 came back as well
        awaitDeliveries(webhook, "PENDING", 30);
        assertEquals(0, GraphQL.as(key, "{ webhooks(providerId: %d) { status } }".formatted(provider))
                .getInt("data.webhooks[0].status"), "the webhook is inactive");
        int sent = receiver.at("/gone").size();
        assertTrue(sent >= 1 && sent <= 10, "only the first claim was sent: " + sent);
        // held deliveries are not backlog: the gauges count them apart, once they have read the database
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertTrue(Metrics.value("herald_outbox_held") >= 30, "held deliveries never reached the gauge"));
        assertEquals(sent, receiver.at("/gone").size(), "nothing held was attempted");

        receiver.answer("/gone", 200, Duration.ZERO);
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 1}) { id } }".formatted(webhook));
        awaitDeliveries(webhook, "DELIVERED", 30);
        assertEquals(sent + 30, receiver.at("/gone").size(), "each held delivery was sent once when switched on");
    }

    @Test
    void retryAfterOn429HoldsTheEndpointThatLong() throws Exception {
        receiver.answerOnce("/busy", new Behaviour(429, Duration.ZERO, Map.of("Retry-After", "6"), ""));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/busy"));
        Events.post(key, Events.notification(1, provider));
        receiver.await("/busy", r -> r.size() == 1, Duration.ofSeconds(10));
        assertEquals("http_429", awaitAttemptError(webhook)); // recorded, and the endpoint's pause with it
        Events.post(key, Events.notification(2, provider)); // must wait out the pause too
        var got = receiver.await("/busy", r -> r.size() == 3, Duration.ofSeconds(15));
        long first = got.get(0).at().toEpochMilli();
        for (int i = 1; i < 3; i++) {
            long gap = got.get(i).at().toEpochMilli() - first;
            assertTrue(gap >= 6_000 && gap < 7_500, "request " + i + " came " + gap + " ms after the 429");
        }
        database.awaitCount("all_deliveries WHERE status = 2 AND webhook_id = " + webhook, 2, Duration.ofSeconds(5));
    }

    private void awaitDeliveries(String webhook, String status, int count) {
        String query = "{ deliveries(webhookId: \"%s\", status: %s) { totalCount } }".formatted(webhook, status);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertEquals(count, GraphQL.as(key, query).getInt("data.deliveries.totalCount"), "deliveries " + status));
    }

    /** The error of the webhook's first attempt ('none' when it had none), once one is recorded. */
    private String awaitAttemptError(String webhook) {
        return await("an attempt recorded").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> database.query("SELECT coalesce(a.error, 'none') FROM delivery_attempt a"
                        + " JOIN all_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = " + webhook
                        + " ORDER BY a.attempted_at"), rows -> rows.size() > 0)
                .iterator().next().getString(0);
    }
}
