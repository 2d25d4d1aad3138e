package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LogCapture;
import dev.herald.testing.Metrics;
import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A row a producer INSERTed straight into the outbox that PostgreSQL cannot read back (a NUL escape, which the json
 * type keeps and every statement reading the member fails on) meets a webhook filter in fan-out. It is set aside
 * with its error; every other tenant's event is delivered as if it were not there.
 */
@QuarkusTest
class FanOutIsolationTest {

    @Inject
    Database database;

    @Test
    void aPoisonedRowIsSetAsideAndEveryOtherEventGoesOn() throws Exception {
        String careless = GraphQL.newApplication("careless");
        int poisonedProvider = GraphQL.newProvider(careless, "smtp");
        String bystander = GraphQL.newApplication("bystander");
        int provider = GraphQL.newProvider(bystander, "smtp");
        double setAsideBefore = Metrics.value("herald_events_set_aside_total");
        try (Receiver receiver = new Receiver(); LogCapture log = LogCapture.of(Dispatcher.class)) {
            String filtered = GraphQL.as(careless, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", channelTypes: [1]}) { id } }"""
                    .formatted(poisonedProvider, receiver.url("/careless"))).getString("data.webhook.id");
            assertTrue(filtered != null);
            GraphQL.newWebhook(bystander, provider, receiver.url("/bystander"));

            long poisoned = database.query("INSERT INTO event (provider_id, payload) VALUES (" + poisonedProvider
                    + ", '{\"providerId\": " + poisonedProvider + ", \"channelType\": 1, \"data\": \"\\u0000\"}')"
                    + " RETURNING id").iterator().next().getLong(0);
            Events.post(bystander, Events.notification(1, provider));
            Events.post(careless, Events.notification(2, poisonedProvider));

            receiver.await("/bystander", got -> got.size() == 1, Duration.ofSeconds(2));
            receiver.await("/careless", got -> got.size() == 1, Duration.ofSeconds(2));

            JsonPath aside = GraphQL.as(GraphQL.ADMIN_KEY,
                    "{ setAsideEvents { eventId applicationId providerId error } }");
            List<String> ids = aside.getList("data.setAsideEvents.eventId");
            assertTrue(ids.contains(Long.toString(poisoned)), aside.prettify());
            String error = database.query("SELECT fan_out_error FROM event WHERE id = " + poisoned).iterator().next()
                    .getString(0);
            assertTrue(error.contains("Unicode"), error);
            assertEquals(setAsideBefore + 1, Metrics.value("herald_events_set_aside_total"));
            assertTrue(log.atLeast(Level.WARNING).stream().map(LogCapture::message)
                    .anyMatch(line -> line.startsWith("Event " + poisoned + " was set aside")), "the operator is told");

            // sent again while its cause remains: set aside again, nothing else disturbed
            JsonPath retried = GraphQL.as(GraphQL.ADMIN_KEY,
                    "mutation { retrySetAsideEvents(eventIds: [\"" + poisoned + "\"]) }");
            assertTrue(retried.get("errors") == null, retried.prettify());
            assertEquals(1, retried.getInt("data.retrySetAsideEvents"), retried.prettify());
            database.awaitCount("event WHERE id = " + poisoned + " AND fan_out_error IS NOT NULL", 1,
                    Duration.ofSeconds(5));
            assertEquals(1, receiver.at("/careless").size());
        }
    }

    /**
     * One application's fan-out batch is held up (its endpoint row locked, as a slow statement or a long claim would
     * hold it): another application's new event is fanned out beside it by a newcomers' statement and delivered,
     * not held until the batch ends.
     */
    @Test
    void aNewEventIsNotHeldBehindAnotherApplicationsRunningBatch() throws Exception {
        String backlogged = GraphQL.newApplication("backlogged");
        int backloggedProvider = GraphQL.newProvider(backlogged, "smtp");
        String newcomer = GraphQL.newApplication("newcomer");
        int provider = GraphQL.newProvider(newcomer, "smtp");
        try (Receiver receiver = new Receiver()) {
            String held = GraphQL.newWebhook(backlogged, backloggedProvider, receiver.url("/backlogged"));
            GraphQL.newWebhook(newcomer, provider, receiver.url("/newcomer"));
            database.query("INSERT INTO endpoint_state (webhook_id) VALUES (" + held + ") ON CONFLICT DO NOTHING");
            try (Database.HeldLocks endpointRow = database.holding("SELECT 1 FROM endpoint_state WHERE webhook_id = "
                    + held + " FOR UPDATE")) {
                database.query("INSERT INTO event (provider_id, payload) SELECT " + backloggedProvider
                        + ", json_build_object('id', g) FROM generate_series(1, 100) g");
                // the batch has taken the backlog and waits for the endpoint row
                database.awaitCount("pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%herald_fan_out%'",
                        1, Duration.ofSeconds(10));

                Events.post(newcomer, Events.notification(1, provider));
                receiver.await("/newcomer", got -> got.size() == 1, Duration.ofSeconds(5));
                assertEquals(100, database.count(Database.WAITING_EVENTS + " WHERE e.provider_id = "
                        + backloggedProvider), "the batch still holds the backlog");
            }
            database.awaitCount(Database.WAITING_EVENTS + " WHERE e.provider_id = " + backloggedProvider, 0,
                    Duration.ofSeconds(10));
        }
    }

    @Test
    void aProducersInsertGetsItsProvidersApplication() {
        String key = GraphQL.newApplication("producer");
        int provider = GraphQL.newProvider(key, "smtp");
        int application = database.query("SELECT application_id FROM provider WHERE id = " + provider).iterator().next()
                .getInteger(0);
        int stored = database.query("INSERT INTO event (provider_id, payload) VALUES (" + provider + ", '{}')"
                + " RETURNING application_id").iterator().next().getInteger(0);
        assertEquals(application, stored);
    }

    @Test
    void setAsideEventsAreTheAdminsOnly() {
        JsonPath refused = GraphQL.as(GraphQL.DEMO_KEY, "{ setAsideEvents { eventId } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(refused), refused.prettify());
    }
}
