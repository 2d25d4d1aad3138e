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
            String first = webhookWithTenInFlight(alice, endpoint, "/busy");
            Row alone = receiverRow(first);
            assertFalse(alone.getBoolean("shared"));
            assertEquals(0, alone.getInteger("in_flight"), "claims of the one webhook leave the receiver alone");
            assertEquals(0, alone.getInteger("starts"));

            fiveMoreWaitForThem(bob, endpoint, "/busy", "/busy?from=bob", second -> {
                Row shared = receiverRow(second);
                assertTrue(shared.getBoolean("shared"));
                assertEquals(10, shared.getInteger("in_flight"), "charged with the first webhook's deliveries in flight");
                assertEquals(10, shared.getInteger("starts"), "and with its starts");
            });
            database.awaitCount("receiver WHERE in_flight = 0 AND id = " + receiver(first), 1, Duration.ofSeconds(10));
        }
    }

    /** A webhook leaving an endpoint for another URL leaves its deliveries in flight there counted. */
    @Test
    void aWebhookThatTakesAnotherUrlLeavesItsDeliveriesInFlightCountedAtTheOldOne() throws Exception {
        String alice = GraphQL.newApplication("alice-leaves");
        String bob = GraphQL.newApplication("bob-arrives");
        try (Receiver endpoint = new Receiver()) {
            String leaving = webhookWithTenInFlight(alice, endpoint, "/left");
            long left = receiver(leaving);

            GraphQL.as(alice, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", webhookUrl: \"%s\"}) { id } }"
                    .formatted(leaving, endpoint.url("/elsewhere")));
            Row kept = database.query("SELECT shared, in_flight FROM receiver WHERE id = " + left).iterator().next();
            assertTrue(kept.getBoolean("shared"));
            assertEquals(10, kept.getInteger("in_flight"), "the ten requests still open there");

            fiveMoreWaitForThem(bob, endpoint, "/left", "/left", second -> { });
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

    /** A webhook of the application at {@code path}, with ten deliveries held open there (answered after 3 s). */
    private static String webhookWithTenInFlight(String key, Receiver endpoint, String path) {
        endpoint.answer(path, 200, Duration.ofSeconds(3));
        int provider = GraphQL.newProvider(key, "smtp");
        String webhook = GraphQL.newWebhook(key, provider, endpoint.url(path));
        Events.post(key, Events.notifications(10, provider));
        endpoint.await(path, r -> r.size() == 10, Duration.ofSeconds(10));
        return webhook;
    }

    /**
     * A webhook of the application at {@code pathAndQuery} ({@code registered} sees it before anything is sent) gets
     * five deliveries, which wait for the ten held open at {@code path}: never more than 10 in flight there.
     */
    private static void fiveMoreWaitForThem(String key, Receiver endpoint, String path, String pathAndQuery,
            java.util.function.Consumer<String> registered) {
        int provider = GraphQL.newProvider(key, "smtp");
        registered.accept(GraphQL.newWebhook(key, provider, endpoint.url(pathAndQuery)));
        Events.post(key, Events.notifications(5, provider));
        endpoint.await(path, r -> r.size() == 15, Duration.ofSeconds(20));
        assertEquals(10, endpoint.peakInFlight(path), "at most 10 in flight at the endpoint, both webhooks'");
    }

    private Row receiverRow(String webhook) {
        return database.query("SELECT r.shared, r.in_flight, cardinality(r.window_starts) AS starts FROM receiver r"
                + " JOIN webhook w ON w.receiver_id = r.id WHERE w.id = " + webhook).iterator().next();
    }

    private long receiver(String webhook) {
        return database.query("SELECT receiver_id FROM webhook WHERE id = " + webhook).iterator().next().getLong(0);
    }
}
