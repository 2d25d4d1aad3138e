package dev.herald.testevent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code sendTestEvent}: one signed POST to one webhook, answered with how it went, counted in the caps across
 * replicas (in the database), recorded nowhere.
 */
@QuarkusTest
class TestEventTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Test
    void aTestEventIsOneSignedPostAnsweredAndRecordedNowhere() throws Exception {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                  headers: [{name: "X-Api-Key", value: "k-1"}]}) { id secret } }"""
                .formatted(provider, receiver.url("/hook")));
        String webhook = created.getString("data.webhook.id");
        GraphQL.newWebhook(key, provider, receiver.url("/other"));

        JsonPath answer = sendTestEvent(key, webhook);
        assertNull(answer.get("errors"), answer.prettify());
        assertEquals(200, answer.getInt("data.sendTestEvent.statusCode"));
        assertNull(answer.get("data.sendTestEvent.error"));
        assertEquals("{\"received\":true}", answer.getString("data.sendTestEvent.responseExcerpt"));
        assertTrue(answer.getInt("data.sendTestEvent.durationMs") >= 0);

        assertEquals(1, receiver.total(), "to that webhook alone");
        Receiver.Received got = receiver.at("/hook").get(0);
        assertEquals("true", got.headers().get("webhook-test"));
        assertEquals("k-1", got.headers().get("X-Api-Key"));
        new Webhook(created.getString("data.webhook.secret")).verify(got.bodyText(), got.headerLists());
        assertTrue(got.bodyText().contains("\"subject\":\"Herald test event\""), got.bodyText());

        for (String table : List.of("delivery", "delivery_history", "endpoint_health")) {
            assertEquals(0, database.count(table + " WHERE webhook_id = " + webhook), table);
        }
        var endpoint = database.query("SELECT in_flight, test_until, cardinality(window_starts) FROM endpoint_state"
                + " WHERE webhook_id = " + webhook).iterator().next();
        assertEquals(0, endpoint.getInteger(0));
        assertNull(endpoint.getValue(1), "the test's slot is given back");
        assertEquals(1, endpoint.getInteger(2), "and its start counts in the rate window");
    }

    @Test
    void aTestThatOutlivedItsLeaseDoesNotFreeANewerTestsSlot() {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/fenced"));
        database.query("INSERT INTO endpoint_state (webhook_id) VALUES (" + webhook + ") ON CONFLICT DO NOTHING");
        database.query("UPDATE endpoint_state SET test_until = '2100-01-01 00:00:00+00' WHERE webhook_id = " + webhook);
        database.query("SELECT herald_end_test(" + webhook + ", '2099-12-31 23:59:00+00')"); // an older test's lease
        assertEquals(1, database.count("endpoint_state WHERE test_until IS NOT NULL AND webhook_id = " + webhook),
                "the newer test still holds its slot");
        database.query("SELECT herald_end_test(" + webhook + ", '2100-01-01 00:00:00+00')");
        assertEquals(0, database.count("endpoint_state WHERE test_until IS NOT NULL AND webhook_id = " + webhook));
    }

    @Test
    void aFailingReceiverIsReportedAndAnotherApplicationsWebhookIsMissing() {
        receiver.answer("/down", new Receiver.Behaviour(500, Duration.ZERO, Map.of(), "<b>down</b>"));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/down"));
        JsonPath failed = sendTestEvent(key, webhook);
        assertEquals(500, failed.getInt("data.sendTestEvent.statusCode"));
        assertEquals("http_500", failed.getString("data.sendTestEvent.error"));
        assertEquals("<b>down</b>", failed.getString("data.sendTestEvent.responseExcerpt"));

        JsonPath stranger = sendTestEvent(GraphQL.newApplication("test-event-stranger"), webhook);
        assertTrue(stranger.getString("errors[0].message").startsWith("webhookId: no webhook " + webhook),
                stranger.prettify());
        assertEquals(1, receiver.total(), "nothing sent for the stranger");
    }

    @Test
    void aTestEventCountsInTheWebhooksCaps() throws Exception {
        receiver.answer("/slow", 200, Duration.ofSeconds(2));
        String webhook = newWebhook(receiver.url("/slow"), "maxInFlight: 1");
        Events.post(key, Events.notification(1, provider));
        receiver.await("/slow", r -> r.size() == 1, Duration.ofSeconds(10));
        JsonPath refused = sendTestEvent(key, webhook);
        assertEquals("webhookId: no test event can start now: 1 deliveries are in flight, the webhook's cap"
                + " (maxInFlight 1); try again when one ends", refused.getString("errors[0].message"));
        database.awaitCount("delivery WHERE webhook_id = " + webhook, 0, Duration.ofSeconds(10));

        // while a test runs, the delivery of a new event waits for its slot
        CompletableFuture<JsonPath> test = CompletableFuture.supplyAsync(() -> sendTestEvent(key, webhook));
        receiver.await("/slow", r -> r.size() == 2, Duration.ofSeconds(10));
        Events.post(key, Events.notification(2, provider));
        List<Receiver.Received> all = receiver.await("/slow", r -> r.size() == 3, Duration.ofSeconds(15));
        JsonPath tested = test.get();
        assertEquals(200, tested.getInt("data.sendTestEvent.statusCode"), tested.prettify());
        assertEquals("true", all.get(1).headers().get("webhook-test"));
        assertEquals(1, receiver.peakInFlight("/slow"), "never two at once");
        assertTrue(!all.get(2).at().isBefore(all.get(1).at().plusMillis(1_900)), "the delivery waited for the test");

        String rated = newWebhook(receiver.url("/rated"), "maxPerMinute: 1");
        assertEquals(200, sendTestEvent(key, rated).getInt("data.sendTestEvent.statusCode"));
        assertEquals("webhookId: no test event can start now: 1 attempts started in the last minute, the webhook's cap"
                + " (maxPerMinute 1)", sendTestEvent(key, rated).getString("errors[0].message"));
    }

    private String newWebhook(String url, String settings) {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", %s}) { id } }"""
                .formatted(provider, url, settings));
        assertNull(created.get("errors"), created.prettify());
        return created.getString("data.webhook.id");
    }

    private static JsonPath sendTestEvent(String key, String webhook) {
        return GraphQL.as(key, """
                mutation { sendTestEvent(webhookId: "%s") { statusCode durationMs error responseExcerpt } }"""
                .formatted(webhook));
    }
}
