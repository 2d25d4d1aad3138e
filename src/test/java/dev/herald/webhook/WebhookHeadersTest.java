package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A webhook's own request headers: sent on every attempt, stored encrypted, shown to their owner only, and refused
 * when they would change the connection, the framing or Herald's own headers.
 */
@QuarkusTest
class WebhookHeadersTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void headersAreSentOnEveryAttemptAndStoredEncrypted() throws Exception {
        receiver.answerOnce("/crm", new Receiver.Behaviour(503, Duration.ZERO));
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", headers: [
                  {name: "Authorization", value: "Bearer crm-key-123"}, {name: "X-Tenant", value: "acme  west"}]})
                  { id headers { name value } } }""".formatted(provider, receiver.url("/crm")));
        assertNull(created.get("errors"), created.prettify());
        String id = created.getString("data.webhook.id");
        assertEquals(List.of(Map.of("name", "Authorization", "value", "Bearer crm-key-123"),
                Map.of("name", "X-Tenant", "value", "acme  west")), created.getList("data.webhook.headers"));

        String stored = database.query("SELECT headers FROM webhook WHERE id = " + id).iterator().next().getString(0);
        assertTrue(stored.startsWith("enc:v2:default:"), stored);
        assertFalse(stored.contains("crm-key") || stored.contains("Authorization"), "encrypted, names too");

        Events.post(key, Events.notification(1, provider));
        var received = receiver.await("/crm", r -> r.size() == 2, Duration.ofSeconds(20));
        for (Receiver.Received attempt : received) { // the 503 and its retry
            assertEquals("Bearer crm-key-123", attempt.headers().get("Authorization"));
            assertEquals("acme  west", attempt.headers().get("X-Tenant"));
            assertTrue(attempt.headers().get("webhook-signature").startsWith("v1,"), "Herald's own headers too");
        }

        JsonPath listed = GraphQL.as(key, "{ webhooks(providerId: %d) { headers { name value } } }".formatted(provider));
        assertEquals("Bearer crm-key-123", listed.getString("data.webhooks[0].headers[0].value"));
        JsonPath stranger = GraphQL.as(GraphQL.newApplication("headers-stranger"), "{ webhooks { id headers { value } } }");
        assertEquals(List.of(), stranger.getList("data.webhooks"), "another application sees none of them");

        JsonPath removed = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", headers: []}) { headers { name } } }"""
                .formatted(id));
        assertEquals(List.of(), removed.getList("data.updateWebhook.headers"));
        assertNull(database.query("SELECT headers FROM webhook WHERE id = " + id).iterator().next().getString(0));
    }

    @Test
    void headersThatWouldChangeTheConnectionOrHeraldsOwnAreRefusedAndNothingIsWritten() {
        String existing = GraphQL.newWebhook(key, provider, "https://r.example/existing");
        GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", headers: [{name: "X-Api-Key", value: "k"}]})
                  { id } }""".formatted(existing));
        String before = database.snapshot() + database.query("SELECT headers FROM webhook WHERE id = " + existing)
                .iterator().next().getString(0);

        assertRefused("Host", "v", "headers[0].name: must not be Host");
        assertRefused("content-length", "1", "headers[0].name: must not be content-length");
        assertRefused("Transfer-Encoding", "chunked", "headers[0].name: must not be Transfer-Encoding");
        assertRefused("Connection", "close", "headers[0].name: must not be Connection");
        assertRefused("Webhook-Signature", "v1,x", "headers[0].name: must not start with webhook-");
        assertRefused("bad name", "v", "headers[0].name: must be an HTTP header name");
        assertRefused("X-Ok", "line\\r\\nX-Injected: 1", "headers[0].value: must be visible ASCII");
        assertRefused("X-Ok", "caf\u00e9", "headers[0].value: must be visible ASCII");
        assertRefusedMutation("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " headers: [{name: \"X-A\", value: \"1\"}, {name: \"x-a\", value: \"2\"}]}) { id }",
                "headers[1].name: must not repeat a header named before");
        assertRefusedMutation("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " legacySignatureHeader: \"x-oneroute-signature\", headers: [{name: \"X-OneRoute-Signature\","
                + " value: \"1\"}]}) { id }", "headers[0].name: must not be the legacySignatureHeader");
        // stored headers meet a legacy header set later
        assertRefusedMutation("updateWebhook(updateWebhookInput: {id: \"" + existing + "\","
                + " legacySignatureHeader: \"X-Api-Key\"}) { id }",
                "headers[0].name: must not be the legacySignatureHeader (x-api-key)");
        assertEquals(before, database.snapshot() + database.query("SELECT headers FROM webhook WHERE id = " + existing)
                .iterator().next().getString(0));
    }

    private void assertRefused(String name, String value, String messageStart) {
        assertRefusedMutation("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " headers: [{name: \"" + name + "\", value: \"" + value + "\"}]}) { id }", messageStart);
    }

    private void assertRefusedMutation(String mutation, String messageStart) {
        JsonPath refused = GraphQL.as(key, "mutation { " + mutation.replace("%d", Integer.toString(provider)) + " }");
        assertTrue(String.valueOf(refused.getString("errors[0].message")).startsWith(messageStart), refused.prettify());
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused));
    }
}
