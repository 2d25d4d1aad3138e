package dev.herald.database;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Deliveries carry no foreign keys (V4: they cost a third of fan-out's time), so deleting a webhook, or a whole
 * application, removes the deliveries still waiting through a statement trigger; its finished deliveries stay in
 * the history, unreachable through the API, until retention drops their partition (never a mass DELETE). Nothing
 * of anyone else's goes with it.
 */
@QuarkusTest
class DeletesCascadeTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Test
    void deletingAWebhookRemovesItsWaitingDeliveriesAndHidesItsHistory() throws Exception {
        receiver.answer("/deleted", Receiver.Behaviour.silent());
        String deleted = GraphQL.newWebhook(key, provider, receiver.url("/deleted"));
        String kept = GraphQL.newWebhook(key, provider, receiver.url("/kept"));
        Events.post(key, Events.notifications(20, provider));
        awaitDeliveries(kept, "DELIVERED", 20);
        receiver.await("/deleted", r -> r.size() == 10, Duration.ofSeconds(10)); // 10 in flight, 10 waiting

        assertEquals(true, GraphQL.as(key, "mutation { deleteWebhook(id: \"%s\") }".formatted(deleted))
                .getBoolean("data.deleteWebhook"));

        assertEquals(0, database.count("delivery WHERE webhook_id = " + deleted), "waiting deliveries removed");
        assertEquals(0, countDeliveries("webhookId: \"" + deleted + "\""), "history no longer shown");
        assertEquals(20, countDeliveries("webhookId: \"" + kept + "\""), "the other webhook's history stays");
        assertEquals(0, database.count("delivery d WHERE NOT EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id)"));
    }

    @Test
    void deletingAnApplicationRemovesItsWaitingDeliveriesAndNobodyElses() throws Exception {
        String bystanderKey = GraphQL.newApplication("bystander");
        int bystanderProvider = GraphQL.newProvider(bystanderKey, "smtp");
        receiver.answer("/bystander", Receiver.Behaviour.silent());
        receiver.answer("/leaving", Receiver.Behaviour.silent());
        String bystander = GraphQL.newWebhook(bystanderKey, bystanderProvider, receiver.url("/bystander"));
        String leaving = GraphQL.newWebhook(key, provider, receiver.url("/leaving"));
        Events.post(bystanderKey, Events.notification(70, bystanderProvider));
        Events.post(key, Events.notification(71, provider));
        receiver.await("/bystander", r -> r.size() == 1, Duration.ofSeconds(10));
        receiver.await("/leaving", r -> r.size() == 1, Duration.ofSeconds(10));

        database.query("DELETE FROM application WHERE id = (SELECT application_id FROM provider WHERE id = "
                + provider + ")");
        assertEquals(0, database.count("webhook WHERE id = " + leaving));
        assertEquals(0, database.count("delivery WHERE webhook_id = " + leaving));
        assertEquals(1, database.count("delivery WHERE webhook_id = " + bystander), "another application's delivery stays");
        assertEquals(0, database.count("delivery d WHERE NOT EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id)"));
    }

    private int countDeliveries(String filter) {
        return GraphQL.as(key, "{ deliveries(%s) { totalCount } }".formatted(filter)).getInt("data.deliveries.totalCount");
    }

    private void awaitDeliveries(String webhook, String status, int count) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertEquals(count, countDeliveries("webhookId: \"%s\", status: %s"
                        .formatted(webhook, status)), status + " deliveries of webhook " + webhook));
    }
}
