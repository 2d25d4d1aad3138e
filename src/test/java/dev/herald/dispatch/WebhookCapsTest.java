package dev.herald.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A webhook's own caps, lower than the global ones, held by two replicas together: they share nothing in this JVM
 * but the database (with the claim reading only the global caps, the first test sees 10 in flight and the second
 * 12 delivered at once).
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class WebhookCapsTest implements LeavesNoDeliveries {

    @Inject
    Dispatchers dispatchers;

    @Inject
    Database database;

    @Test
    void twoReplicasKeepAWebhooksOwnInFlightCap() throws Exception {
        String key = GraphQL.newApplication("own-in-flight-cap");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/slow", 200, Duration.ofMillis(300));
            String webhook = newWebhook(key, provider, receiver.url("/slow"), "maxInFlight: 2");
            Events.post(key, Events.notifications(12, provider));
            runTwoReplicas(() -> receiver.await("/slow", r -> r.size() >= 12, Duration.ofSeconds(30)));
            int peak = receiver.peakInFlight("/slow");
            assertEquals(2, peak, "peak in flight " + peak);
            assertEquals(0, database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                    .iterator().next().getInteger(0));
        }
    }

    @Test
    void twoReplicasKeepAWebhooksOwnPerMinuteCap() throws Exception {
        String key = GraphQL.newApplication("own-rate-cap");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/fast", 200, Duration.ZERO);
            String webhook = newWebhook(key, provider, receiver.url("/fast"), "maxPerMinute: 5");
            Events.post(key, Events.notifications(12, provider));
            runTwoReplicas(() -> {
                receiver.await("/fast", r -> r.size() >= 5, Duration.ofSeconds(20));
                await("time enough for the other seven, were they let through").during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertEquals(5, receiver.at("/fast").size(), "five in the first minute"));
                return null;
            });
            assertEquals(7, database.count("delivery WHERE webhook_id = " + webhook + " AND status = 0"),
                    "the others wait for the window");
        }
    }

    @Test
    void capsAreCheckedAgainstTheGlobalOnesAndZeroGoesBackToThem() {
        String key = GraphQL.newApplication("cap-rules");
        int provider = GraphQL.newProvider(key, "smtp");
        String before = database.snapshot();
        JsonPath tooMany = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://r.example/x",
                  maxInFlight: 11}) { id } }""".formatted(provider));
        assertEquals("maxInFlight: must be from 1 to 10, the global cap (herald.delivery.max-in-flight-per-endpoint)",
                tooMany.getString("errors[0].message"));
        JsonPath zero = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://r.example/x",
                  maxPerMinute: 0}) { id } }""".formatted(provider));
        assertTrue(zero.getString("errors[0].message").startsWith("maxPerMinute: must be from 1 to 100"),
                zero.prettify());
        assertEquals(before, database.snapshot());

        String webhook = newWebhook(key, provider, "https://r.example/y", "maxInFlight: 3, maxPerMinute: 30");
        JsonPath shown = GraphQL.as(key, "{ webhooks { maxInFlight maxPerMinute } }");
        assertEquals(3, shown.getInt("data.webhooks[0].maxInFlight"));
        assertEquals(30, shown.getInt("data.webhooks[0].maxPerMinute"));
        JsonPath cleared = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", maxInFlight: 0})
                  { maxInFlight maxPerMinute } }""".formatted(webhook));
        assertNull(cleared.get("data.updateWebhook.maxInFlight"), "back to the global cap");
        assertEquals(30, cleared.getInt("data.updateWebhook.maxPerMinute"), "left out: kept");
    }

    private void runTwoReplicas(java.util.concurrent.Callable<?> whileRunning) throws Exception {
        Dispatcher one = dispatchers.newDispatcher();
        Dispatcher two = dispatchers.newDispatcher();
        one.start();
        two.start();
        try {
            whileRunning.call();
        } finally {
            one.drain(Duration.ofSeconds(10));
            two.drain(Duration.ofSeconds(10));
        }
    }

    private static String newWebhook(String key, int provider, String url, String caps) {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", %s}) { id } }"""
                .formatted(provider, url, caps));
        assertNull(created.get("errors"), created.prettify());
        return created.getString("data.webhook.id");
    }
}
