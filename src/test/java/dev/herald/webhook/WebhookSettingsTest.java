package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A webhook's description and filters: fan-out sends a webhook only the notifications whose channelType and
 * deliveryStatus it lists; the settings are readable, changeable and checked.
 */
@QuarkusTest
class WebhookSettingsTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void fanOutSendsEachWebhookOnlyWhatItsFiltersLetThrough() throws Exception {
        register("/all", "");
        register("/failed", ", deliveryStatuses: [6]");
        register("/mailgun", ", channelTypes: [2]");
        register("/mailgun-failed", ", channelTypes: [2], deliveryStatuses: [6]");
        Events.post(key, "[" + notification(1, 1, "5") + "," + notification(2, 1, "6") + "," + notification(3, 2, "5")
                + "," + notification(4, 2, "6") + "," + notification(5, 2, "\"6\"") + "]");

        receiver.await("/all", r -> r.size() == 5, Duration.ofSeconds(10));
        receiver.await("/failed", r -> r.size() == 2, Duration.ofSeconds(10));
        receiver.await("/mailgun", r -> r.size() == 3, Duration.ofSeconds(10));
        receiver.await("/mailgun-failed", r -> r.size() == 1, Duration.ofSeconds(10));
        database.awaitCount("event_pending", 0, Duration.ofSeconds(10));
        database.awaitCount("delivery d JOIN webhook w ON w.id = d.webhook_id JOIN provider p ON p.id = w.provider_id"
                + " WHERE p.id = " + provider, 0, Duration.ofSeconds(10));
        assertEquals(5 + 2 + 3 + 1, receiver.total(), "nothing else was sent (a status of \"6\", a string, is not 6)");
        assertTrue(receiver.at("/mailgun-failed").get(0).bodyText().contains("\"id\": 4"));
    }

    @Test
    void anEventThatIsNotANotificationObjectPassesNoFilterAndStopsNothing() throws Exception {
        register("/unfiltered", "");
        register("/filtered", ", deliveryStatuses: [5]");
        // a producer's own INSERT may hold any JSON
        database.query("INSERT INTO event (provider_id, payload) VALUES (" + provider + ", '[1, 2]'), (" + provider
                + ", '\"text\"'), (" + provider + ", '{\"deliveryStatus\": 1e400}')");
        Events.post(key, Events.notification(9, provider));
        receiver.await("/unfiltered", r -> r.size() == 4, Duration.ofSeconds(10));
        database.awaitCount("event_pending", 0, Duration.ofSeconds(10));
        database.awaitCount("delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.provider_id = " + provider, 0,
                Duration.ofSeconds(10));
        assertEquals(1, receiver.at("/filtered").size(), "only the notification with deliveryStatus 5");
    }

    @Test
    void settingsAreShownChangedAndCleared() {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://r.example/s",
                  description: "failed mail to the CRM", channelTypes: [2, 1, 2], deliveryStatuses: [6]})
                  { id description channelTypes deliveryStatuses } }""".formatted(provider));
        assertNull(created.get("errors"), created.prettify());
        assertEquals("failed mail to the CRM", created.getString("data.webhook.description"));
        assertEquals(List.of(1, 2), created.getList("data.webhook.channelTypes"), "distinct, sorted");
        assertEquals(List.of(6), created.getList("data.webhook.deliveryStatuses"));
        String id = created.getString("data.webhook.id");

        JsonPath kept = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", deliveryStatuses: [5, 6]})
                  { description channelTypes deliveryStatuses } }""".formatted(id));
        assertEquals("failed mail to the CRM", kept.getString("data.updateWebhook.description"), "left out: kept");
        assertEquals(List.of(1, 2), kept.getList("data.updateWebhook.channelTypes"));
        assertEquals(List.of(5, 6), kept.getList("data.updateWebhook.deliveryStatuses"));

        JsonPath cleared = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", description: "", channelTypes: []})
                  { description channelTypes deliveryStatuses } }""".formatted(id));
        assertNull(cleared.get("data.updateWebhook.description"));
        assertNull(cleared.get("data.updateWebhook.channelTypes"), "an empty list: all channel types");
        assertEquals(List.of(5, 6), cleared.getList("data.updateWebhook.deliveryStatuses"));

        JsonPath listed = GraphQL.as(key, "{ webhooks(providerId: %d) { id deliveryStatuses } }".formatted(provider));
        assertEquals(List.of(5, 6), listed.getList("data.webhooks.find { it.id == '%s' }.deliveryStatuses"
                .formatted(id)));
    }

    @Test
    void badSettingsAreRefusedNamingTheFieldAndWriteNothing() {
        String existing = GraphQL.newWebhook(key, provider, "https://r.example/existing");
        String before = database.snapshot();
        assertRefused("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " deliveryStatuses: [7]}) { id }", "deliveryStatuses: each value must be an OsmoX delivery status");
        assertRefused("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " channelTypes: [0]}) { id }", "channelTypes: each value must be a positive integer");
        assertRefused("webhook(createWebhookInput: {providerId: %d, webhookUrl: \"https://r.example/x\","
                + " description: \"" + "d".repeat(501) + "\"}) { id }", "description: must be at most 500 characters");
        assertRefused("updateWebhook(updateWebhookInput: {id: \"" + existing + "\", channelTypes: ["
                + "1,".repeat(21) + "]}) { id }", "channelTypes: must list at most 20 values");
        assertEquals(before, database.snapshot());
        assertRefused("webhook(createWebhookInput: {providerId: 987654, webhookUrl: \"https://r.example/x\"}) { id }",
                "providerId: no provider 987654 in this application");
        assertEquals(before, database.snapshot());
    }

    private void assertRefused(String mutation, String messageStart) {
        JsonPath refused = GraphQL.as(key, "mutation { " + mutation.replace("%d", Integer.toString(provider)) + " }");
        assertTrue(refused.getString("errors[0].message").startsWith(messageStart), refused.prettify());
    }

    private void register(String path, String settings) {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"%s}) { id } }"""
                .formatted(provider, receiver.url(path), settings));
        assertNull(created.get("errors"), created.prettify());
    }

    private String notification(int id, int channelType, String deliveryStatus) {
        return "{\"id\": %d, \"providerId\": %d, \"channelType\": %d, \"deliveryStatus\": %s}".formatted(id, provider,
                channelType, deliveryStatus);
    }
}
