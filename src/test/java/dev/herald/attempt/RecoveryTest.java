package dev.herald.attempt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * recoverWebhook: deliveries for the events a webhook missed while it was off, against a real loopback receiver,
 * once each, through its filters, a slice of event ids a statement.
 */
@QuarkusTest
class RecoveryTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Inject
    Recovery recovery;

    @AfterEach
    void wholeSlicesAgain() {
        recovery.useSlicesOf(Recovery.SLICE);
    }

    @Test
    void eventsAWebhookMissedWhileOffAreDeliveredOnceThroughItsFilters() throws Exception {
        receiver.answer("/missed", 200, Duration.ZERO);
        String webhook = webhook("/missed", "deliveryStatuses: [6]");
        Instant since = Instant.now().minusSeconds(60);
        setStatus(webhook, 0);
        Events.post(key, "[" + failedNotification(1) + "," + Events.notification(2, provider) + ","
                + failedNotification(3) + "]");
        database.awaitCount(Database.WAITING_EVENTS + " WHERE e.provider_id = " + provider, 0,
                Duration.ofSeconds(10));
        assertEquals(0, database.count("all_deliveries WHERE webhook_id = " + webhook), "off: no delivery made");
        setStatus(webhook, 1);

        recovery.useSlicesOf(1); // one event id a statement: every slice must be taken
        assertEquals(2, recover(webhook, since).getInt("data.recoverWebhook"), "the two failed notifications");
        List<String> bodies = receiver.await("/missed", r -> r.size() == 2, Duration.ofSeconds(10)).stream()
                .map(r -> r.bodyText()).toList();
        assertTrue(bodies.stream().allMatch(body -> body.contains("\"deliveryStatus\": 6")), bodies.toString());
        assertEquals(0, recover(webhook, since).getInt("data.recoverWebhook"), "nothing twice");

        Events.post(key, failedNotification(4));
        receiver.await("/missed", r -> r.size() == 3, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 3, Duration.ofSeconds(10));
        assertEquals(0, recover(webhook, since).getInt("data.recoverWebhook"), "one delivered as usual is not missed");
        assertEquals(3, receiver.at("/missed").size());
    }

    @Test
    void aWindowBeyondRetentionOrBackwardsAndAnotherTenantsWebhookAreRefused() {
        String webhook = webhook("/refused", "description: \"x\"");
        JsonPath old = recover(webhook, Instant.now().minus(Duration.ofDays(400)));
        assertTrue(old.getString("errors[0].message").startsWith("since: is beyond the retention period"
                + " (herald.retention.period, "), old.prettify());
        JsonPath backwards = GraphQL.as(key, """
                mutation { recoverWebhook(webhookId: "%s", since: "%s", until: "%s") }"""
                .formatted(webhook, Instant.now().minusSeconds(10), Instant.now().minusSeconds(60)));
        assertEquals("until: must not be before since", backwards.getString("errors[0].message"));
        String stranger = GraphQL.newApplication("recovery-stranger");
        JsonPath foreign = GraphQL.as(stranger, """
                mutation { recoverWebhook(webhookId: "%s", since: "%s") }""".formatted(webhook,
                Instant.now().minusSeconds(60)));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(foreign), foreign.prettify());
    }

    private String failedNotification(int id) {
        return Events.notification(id, provider).replace("\"deliveryStatus\": 5", "\"deliveryStatus\": 6");
    }

    private JsonPath recover(String webhook, Instant since) {
        return GraphQL.as(key, """
                mutation { recoverWebhook(webhookId: "%s", since: "%s") }""".formatted(webhook, since));
    }

    private void setStatus(String webhook, int status) {
        JsonPath answer = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: %d}) { status } }"""
                .formatted(webhook, status));
        assertEquals(status, answer.getInt("data.updateWebhook.status"), answer.prettify());
    }

    private String webhook(String path, String settings) {
        JsonPath answer = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", %s}) { id } }"""
                .formatted(provider, receiver.url(path), settings));
        return answer.getString("data.webhook.id");
    }
}
