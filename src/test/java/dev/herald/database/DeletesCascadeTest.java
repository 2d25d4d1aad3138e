package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Deliveries and attempts carry no foreign keys (V4: they cost a third of fan-out's time), so deletes cascade
 * through statement triggers instead: deleting a webhook, an event or a whole application leaves no delivery
 * or attempt behind, and nothing of anyone else's goes with it.
 */
@QuarkusTest
class DeletesCascadeTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void deletingAWebhookRemovesItsDeliveriesAndAttempts() throws Exception {
        String deleted = GraphQL.newWebhook(key, provider, receiver.url("/deleted"));
        String kept = GraphQL.newWebhook(key, provider, receiver.url("/kept"));
        deliverOneEvent(61);

        assertEquals(true, GraphQL.as(key, "mutation { deleteWebhook(id: \"%s\") }".formatted(deleted))
                .getBoolean("data.deleteWebhook"));

        assertEquals(0, database.count("delivery WHERE webhook_id = " + deleted));
        assertEquals(1, database.count("delivery WHERE webhook_id = " + kept));
        assertEquals(1, database.count("delivery_attempt a JOIN delivery d ON d.id = a.delivery_id"
                + " WHERE d.webhook_id = " + kept));
        assertNoOrphans();
    }

    @Test
    void deletingAnEventOrAnApplicationRemovesItsDeliveriesAndAttempts() throws Exception {
        String bystanderKey = GraphQL.newApplication("bystander");
        int bystanderProvider = GraphQL.newProvider(bystanderKey, "smtp");
        String bystander = GraphQL.newWebhook(bystanderKey, bystanderProvider, receiver.url("/bystander"));
        deliverOneEvent(bystanderKey, bystanderProvider, 70);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/events"));
        long first = deliverOneEvent(71);
        deliverOneEvent(72);

        database.query("DELETE FROM event WHERE id = " + first);
        assertEquals(0, database.count("delivery WHERE event_id = " + first));
        assertEquals(1, database.count("delivery WHERE webhook_id = " + webhook));

        database.query("DELETE FROM application WHERE id = (SELECT application_id FROM provider WHERE id = "
                + provider + ")");
        assertEquals(0, database.count("webhook WHERE id = " + webhook));
        assertEquals(0, database.count("delivery WHERE webhook_id = " + webhook));
        assertEquals(1, database.count("delivery_attempt a JOIN delivery d ON d.id = a.delivery_id"
                + " WHERE d.webhook_id = " + bystander), "another application's delivery stays");
        assertNoOrphans();
    }

    /** Posts one event to the provider and waits until each of its deliveries has its attempt recorded. */
    private long deliverOneEvent(int id) throws InterruptedException {
        return deliverOneEvent(key, provider, id);
    }

    private long deliverOneEvent(String apiKey, int providerId, int id) throws InterruptedException {
        List<Long> events = Events.post(apiKey, Events.notification(id, providerId));
        long eventId = events.get(0);
        long webhooks = database.count("webhook WHERE provider_id = " + providerId);
        database.awaitCount("delivery WHERE status = 2 AND event_id = " + eventId, webhooks, Duration.ofSeconds(10));
        database.awaitCount("delivery_attempt a JOIN delivery d ON d.id = a.delivery_id WHERE d.event_id = "
                + eventId, webhooks, Duration.ofSeconds(10));
        return eventId;
    }

    private void assertNoOrphans() {
        assertEquals(0, database.count("delivery d WHERE NOT EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id)"
                + " OR NOT EXISTS (SELECT 1 FROM event e WHERE e.id = d.event_id)"));
        assertEquals(0, database.count("delivery_attempt a WHERE NOT EXISTS"
                + " (SELECT 1 FROM delivery d WHERE d.id = a.delivery_id)"));
    }
}
