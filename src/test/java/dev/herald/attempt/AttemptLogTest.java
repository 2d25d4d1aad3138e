package dev.herald.attempt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.restassured.path.json.JsonPath;

/**
 * The attempt log reads waiting deliveries (the hot table) and finished ones (the history) together, newest first,
 * page after page by cursor, filtered by state and time, and counts no further than 1,000.
 */
@QuarkusTest
class AttemptLogTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Inject
    Pool pool;

    @Test
    void pagesByCursorThroughWaitingAndFinishedDeliveriesTogether() throws Exception {
        receiver.answer("/waiting", Receiver.Behaviour.silent());
        String finished = GraphQL.newWebhook(key, provider, receiver.url("/finished"));
        String waiting = GraphQL.newWebhook(key, provider, receiver.url("/waiting"));
        Events.post(key, Events.notifications(15, provider));
        awaitCount("webhookId: \"%s\", status: DELIVERED".formatted(finished), 15);
        receiver.await("/waiting", r -> r.size() == 10, Duration.ofSeconds(10));

        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonPath page = GraphQL.as(key, "{ deliveries(limit: 7%s) { totalCount nextCursor items { id status } } }"
                    .formatted(cursor == null ? "" : ", after: \"" + cursor + "\""));
            assertEquals(30, page.getInt("data.deliveries.totalCount"), page.prettify());
            ids.addAll(page.getList("data.deliveries.items.id"));
            cursor = page.getString("data.deliveries.nextCursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(30, ids.size(), "every delivery once: " + ids);
        assertEquals(30, new HashSet<>(ids).size());
        List<Long> numbers = ids.stream().map(Long::parseLong).toList();
        assertEquals(numbers.stream().sorted((a, b) -> Long.compare(b, a)).toList(), numbers, "newest first");
        assertEquals(15, countOf("status: DELIVERED"));
        assertEquals(10, countOf("webhookId: \"%s\", status: IN_FLIGHT".formatted(waiting)));
        assertEquals(5, countOf("webhookId: \"%s\", status: PENDING".formatted(waiting)));
    }

    @Test
    void aTimeRangeBoundsWhenDeliveriesWereMade() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/timed"));
        Events.post(key, Events.notifications(3, provider));
        awaitCount("webhookId: \"%s\", status: DELIVERED".formatted(webhook), 3);
        Instant between = Instant.parse(database.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')").iterator().next().getString(0));
        Events.post(key, Events.notifications(2, provider));
        awaitCount("webhookId: \"%s\", status: DELIVERED".formatted(webhook), 5);

        assertEquals(2, countOf("webhookId: \"%s\", since: \"%s\"".formatted(webhook, between)));
        assertEquals(3, countOf("webhookId: \"%s\", until: \"%s\"".formatted(webhook, between)));
        JsonPath refused = GraphQL.as(key, "{ deliveries(since: \"%s\", until: \"%s\") { totalCount } }"
                .formatted(between, between));
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused));
        assertTrue(refused.getString("errors[0].message").startsWith("until:"), refused.prettify());
    }

    /**
     * A page's deliveries and their attempts are one reading: a delivery that completes while a page is being read
     * shows either before (in flight, its attempt not yet there) or after, never its old state with its new attempt.
     * The test holds the delivery log locked while it records the delivery's outcome, so the page's attempt query
     * waits for that commit, between the page's reading of the delivery and of its attempts. The page asks for
     * deliveries in flight only, which are read from the hot table alone: its first statements do not wait.
     */
    @Test
    void aDeliveryCompletingDuringAPageReadIsShownConsistently() throws Exception {
        Events.post(key, Events.notification(1, provider)); // no webhook yet: an event without deliveries
        database.awaitCount("event e WHERE e.provider_id = %d AND NOT EXISTS (SELECT 1 FROM event_pending w"
                .formatted(provider) + " WHERE w.event_id = e.id)", 1, Duration.ofSeconds(10));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/racing"));
        // in flight, claimed by nobody who will complete it, its lease an hour away: no dispatcher touches it
        long delivery = database.query("""
                INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
                                      claim_token, lease_until)
                SELECT e.id, e.accepted_at, %s, p.application_id, 1, 1, 42, clock_timestamp() + interval '1 hour'
                  FROM event e JOIN provider p ON p.id = e.provider_id WHERE e.provider_id = %d
                RETURNING id""".formatted(webhook, provider)).iterator().next().getLong(0);
        SqlConnection completion = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            completion.query("BEGIN").execute().await().atMost(Duration.ofSeconds(10));
            completion.query("LOCK TABLE delivery_log IN ACCESS EXCLUSIVE MODE").execute()
                    .await().atMost(Duration.ofSeconds(10));
            completion.query("""
                    UPDATE delivery SET status = 0, next_attempt_at = 'infinity', claim_token = NULL, lease_until = NULL
                     WHERE id = %d""".formatted(delivery)).execute().await().atMost(Duration.ofSeconds(10));
            completion.query("""
                    INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at,
                                              logged_at, attempted_at, application_id, attempt_count, duration_ms,
                                              status, status_code, error)
                    SELECT id, event_id, webhook_id, event_accepted_at, created_at, clock_timestamp(),
                           clock_timestamp(), application_id, 1, 5, 0, 500, 'http_500'
                      FROM delivery WHERE id = %d""".formatted(delivery)).execute()
                    .await().atMost(Duration.ofSeconds(10));
            CompletableFuture<JsonPath> page = CompletableFuture.supplyAsync(() -> GraphQL.as(key,
                    "{ deliveries(webhookId: \"%s\", status: IN_FLIGHT) { items { status attemptCount attempts { error } } } }"
                            .formatted(webhook)));
            // the page has read the delivery and waits for the log
            database.awaitCount("pg_stat_activity WHERE application_name = 'herald' AND wait_event_type = 'Lock'"
                    + " AND query LIKE '%JOIN delivery_log%'", 1, Duration.ofSeconds(10));
            completion.query("COMMIT").execute().await().atMost(Duration.ofSeconds(10));

            JsonPath answer = page.get(10, TimeUnit.SECONDS);
            String status = answer.getString("data.deliveries.items[0].status");
            int attempts = answer.getList("data.deliveries.items[0].attempts").size();
            int attemptsRecorded = answer.getInt("data.deliveries.items[0].attemptCount")
                    - ("IN_FLIGHT".equals(status) ? 1 : 0);
            assertEquals(attemptsRecorded, attempts, "a delivery with the attempts of another moment: "
                    + answer.prettify());
        } finally {
            completion.close().await().atMost(Duration.ofSeconds(10));
            database.query("DELETE FROM delivery WHERE id = " + delivery);
        }
    }

    @Test
    void aCursorThatNoPageGaveIsRefusedByName() {
        for (String bad : List.of("42", "1.x", "1.2.3", "")) {
            JsonPath refused = GraphQL.as(key, "{ deliveries(after: \"%s\") { totalCount } }".formatted(bad));
            assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), bad);
            assertTrue(refused.getString("errors[0].message").startsWith("after:"), refused.prettify());
        }
    }

    @Test
    void theCountStopsAtOneThousand() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/many"));
        Events.post(key, Events.notification(1, provider));
        awaitCount("webhookId: \"%s\", status: DELIVERED".formatted(webhook), 1);
        // 1,050 finished deliveries more, written straight into the history
        database.query("INSERT INTO delivery_log (delivery_id, event_id, event_accepted_at, webhook_id, application_id,"
                + " status, attempt_count, created_at, logged_at) SELECT nextval(pg_get_serial_sequence('delivery', 'id')),"
                + " h.event_id, h.event_accepted_at, h.webhook_id, h.application_id, 2, 1, h.created_at, h.finished_at"
                + " FROM delivery_history h, generate_series(1, 1050) WHERE h.webhook_id = " + webhook);
        JsonPath page = GraphQL.as(key, "{ deliveries(webhookId: \"%s\", limit: 5) { totalCount totalCountCapped nextCursor items { id } } }"
                .formatted(webhook));
        assertEquals(1_000, page.getInt("data.deliveries.totalCount"));
        assertTrue(page.getBoolean("data.deliveries.totalCountCapped"));
        assertEquals(5, page.getList("data.deliveries.items").size());
        JsonPath small = GraphQL.as(key, "{ deliveries(webhookId: \"%s\", status: PENDING) { totalCount totalCountCapped nextCursor } }"
                .formatted(webhook));
        assertEquals(0, small.getInt("data.deliveries.totalCount"));
        assertFalse(small.getBoolean("data.deliveries.totalCountCapped"));
        assertNull(small.getString("data.deliveries.nextCursor"));
    }

    private int countOf(String filter) {
        return GraphQL.as(key, "{ deliveries(%s) { totalCount } }".formatted(filter)).getInt("data.deliveries.totalCount");
    }

    private void awaitCount(String filter, int count) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertEquals(count, countOf(filter), "deliveries(" + filter + ")"));
    }
}
