package dev.herald.webhook;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Which receiving endpoint a URL names (herald_receiver_key), webhooks naming one endpoint sharing its row, and that
 * row charged by claims only once a second webhook names it.
 */
@QuarkusTest
class ReceiverTest {

    @Inject
    Database database;

    @ParameterizedTest
    @CsvSource({
            "https://Example.COM/hook,             https://example.com:443/hook",
            "https://example.com:443/hook?a=1#top, https://example.com:443/hook",
            "http://example.com,                   http://example.com:80/",
            "HTTP://example.com:8080/a/b/,         http://example.com:8080/a/b",
            "http://127.0.0.1:08080/x,             http://127.0.0.1:8080/x",
            "https://[::1]:9443/v1,                https://[::1]:9443/v1",
            "https://example.com/hook/,            https://example.com:443/hook",
            "https://example.com//a/./b,           https://example.com:443/a/b",
            "https://example.com./hook,            https://example.com:443/hook" })
    void aUrlNamesItsEndpointBySchemeHostPortAndPath(String url, String key) {
        assertEquals(key, database.query("SELECT herald_receiver_key('" + url + "')").iterator().next().getString(0));
    }

    @Test
    void webhooksOfTwoApplicationsOnOneEndpointShareItsReceiver() {
        String alice = GraphQL.newApplication("alice-shared");
        String bob = GraphQL.newApplication("bob-shared");
        String a = GraphQL.newWebhook(alice, GraphQL.newProvider(alice, "smtp"), "https://shared.example/hook");
        String b = GraphQL.newWebhook(bob, GraphQL.newProvider(bob, "smtp"), "https://SHARED.example:443/hook?from=bob");
        String c = GraphQL.newWebhook(bob, GraphQL.newProvider(bob, "sms"), "https://shared.example/other");
        assertEquals(receiver(a), receiver(b));
        assertNotEquals(receiver(a), receiver(c));
        GraphQL.as(bob, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", webhookUrl: \"https://shared.example/hook\"}) { id } }"
                .formatted(c));
        assertEquals(receiver(a), receiver(c), "a changed URL names its new endpoint");
    }

    /**
     * A receiver one webhook names is not written by its claims; a second webhook naming it takes it over with the
     * first one's ten deliveries in flight, so the second's deliveries wait for them: the cap of 10 holds across both.
     */
    @Test
    void aSecondWebhookOnAnEndpointTakesItOverWithTheFirstOnesDeliveriesInFlight() throws Exception {
        String alice = GraphQL.newApplication("alice-takeover");
        String bob = GraphQL.newApplication("bob-takeover");
        try (Receiver endpoint = new Receiver()) {
            endpoint.answer("/busy", 200, Duration.ofSeconds(3));
            int alices = GraphQL.newProvider(alice, "smtp");
            String first = GraphQL.newWebhook(alice, alices, endpoint.url("/busy"));
            Events.post(alice, Events.notifications(10, alices));
            endpoint.await("/busy", r -> r.size() == 10, Duration.ofSeconds(10));
            Row alone = receiverRow(first);
            assertFalse(alone.getBoolean("shared"));
            assertEquals(0, alone.getInteger("in_flight"), "claims of the one webhook leave the receiver alone");
            assertEquals(0, alone.getInteger("starts"));

            int bobs = GraphQL.newProvider(bob, "smtp");
            String second = GraphQL.newWebhook(bob, bobs, endpoint.url("/busy?from=bob"));
            Row shared = receiverRow(second);
            assertTrue(shared.getBoolean("shared"));
            assertEquals(10, shared.getInteger("in_flight"), "charged with the first webhook's deliveries in flight");
            assertEquals(10, shared.getInteger("starts"), "and with its starts");

            Events.post(bob, Events.notifications(5, bobs));
            endpoint.await("/busy", r -> r.size() == 15, Duration.ofSeconds(20));
            assertEquals(10, endpoint.peakInFlight("/busy"), "at most 10 in flight at the endpoint, both webhooks'");
            database.awaitCount("receiver WHERE in_flight = 0 AND id = " + receiver(first), 1, Duration.ofSeconds(10));
        }
    }

    /** A webhook leaving an endpoint for another URL leaves its deliveries in flight there counted. */
    @Test
    void aWebhookThatTakesAnotherUrlLeavesItsDeliveriesInFlightCountedAtTheOldOne() throws Exception {
        String alice = GraphQL.newApplication("alice-leaves");
        String bob = GraphQL.newApplication("bob-arrives");
        try (Receiver endpoint = new Receiver()) {
            endpoint.answer("/left", 200, Duration.ofSeconds(3));
            int alices = GraphQL.newProvider(alice, "smtp");
            String leaving = GraphQL.newWebhook(alice, alices, endpoint.url("/left"));
            long left = receiver(leaving);
            Events.post(alice, Events.notifications(10, alices));
            endpoint.await("/left", r -> r.size() == 10, Duration.ofSeconds(10));

            GraphQL.as(alice, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", webhookUrl: \"%s\"}) { id } }"
                    .formatted(leaving, endpoint.url("/elsewhere")));
            Row kept = database.query("SELECT shared, in_flight FROM receiver WHERE id = " + left).iterator().next();
            assertTrue(kept.getBoolean("shared"));
            assertEquals(10, kept.getInteger("in_flight"), "the ten requests still open there");

            int bobs = GraphQL.newProvider(bob, "smtp");
            GraphQL.newWebhook(bob, bobs, endpoint.url("/left"));
            Events.post(bob, Events.notifications(5, bobs));
            endpoint.await("/left", r -> r.size() == 15, Duration.ofSeconds(20));
            assertEquals(10, endpoint.peakInFlight("/left"), "at most 10 in flight at the endpoint");
        }
    }

    /** A webhook deleted leaves the attempts it started counted in its endpoint's window. */
    @Test
    void aDeletedWebhooksStartsStayCountedAtItsEndpoint() throws Exception {
        String alice = GraphQL.newApplication("alice-deletes");
        String bob = GraphQL.newApplication("bob-after");
        try (Receiver endpoint = new Receiver()) {
            endpoint.answer("/window", 200, Duration.ZERO);
            int alices = GraphQL.newProvider(alice, "smtp");
            String deleted = GraphQL.newWebhook(alice, alices, endpoint.url("/window"));
            long window = receiver(deleted);
            Events.post(alice, Events.notifications(100, alices));
            endpoint.await("/window", r -> r.size() == 100, Duration.ofSeconds(20));
            database.awaitCount("delivery WHERE webhook_id = " + deleted, 0, Duration.ofSeconds(10));
            GraphQL.as(alice, "mutation { deleteWebhook(id: \"%s\") }".formatted(deleted));
            assertEquals(100, database.query("SELECT cardinality(window_starts) FROM receiver WHERE id = " + window)
                    .iterator().next().getInteger(0), "its hundred starts, the cap of any 60 s");

            int bobs = GraphQL.newProvider(bob, "smtp");
            String waiting = GraphQL.newWebhook(bob, bobs, endpoint.url("/window"));
            Events.post(bob, Events.notifications(5, bobs));
            await("time enough for bob's five, were they let through").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertEquals(100, endpoint.at("/window").size(), "the window is full"));
            GraphQL.as(bob, "mutation { deleteWebhook(id: \"%s\") }".formatted(waiting));  // its five with it
        }
    }

    private Row receiverRow(String webhook) {
        return database.query("SELECT r.shared, r.in_flight, cardinality(r.window_starts) AS starts FROM receiver r"
                + " JOIN webhook w ON w.receiver_id = r.id WHERE w.id = " + webhook).iterator().next();
    }

    private long receiver(String webhook) {
        return database.query("SELECT receiver_id FROM webhook WHERE id = " + webhook).iterator().next().getLong(0);
    }
}
