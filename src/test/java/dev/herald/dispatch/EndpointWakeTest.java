package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.smallrye.mutiny.Uni;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Recording an outcome gives the endpoint its slot back, and wakes a parked endpoint only when a delivery waits for
 * it, at that delivery's due time. Before V15 every parked endpoint was woken at once: one whose only delivery had
 * just been sent became due with nothing to send, and each claim spent half of its endpoints on such rows.
 *
 * <p>Three endpoints, each parked ({@code next_check_at = 'infinity'}) with one delivery in flight, in one
 * completion batch: the first has nothing else waiting, the second has a delivery due in a day, the third's
 * delivery is retried. Inside a transaction that is rolled back, so the running dispatcher never sees them.
 */
@QuarkusTest
class EndpointWakeTest extends WithReceiver {

    @Inject
    Pool pool;

    @Test
    void aParkedEndpointIsWokenOnlyForWorkThatWaitsAndWhenItIsDue() {
        long idle = newWebhook();
        long waiting = newWebhook();
        long retried = newWebhook();
        Map<Long, Row> after = pool.getConnection().flatMap(connection -> connection.begin()
                .flatMap(transaction -> completeParkedEndpoints(connection, idle, waiting, retried)
                        .call(transaction::rollback))
                .eventually(connection::close))
                .await().atMost(Duration.ofSeconds(30));

        Row idleEndpoint = after.get(idle);
        assertEquals(0, idleEndpoint.getInteger("in_flight"), "the idle endpoint's slot is given back");
        assertEquals("infinity", idleEndpoint.getString("next_check"),
                "an endpoint with nothing waiting stays parked after its last delivery");

        Row waitingEndpoint = after.get(waiting);
        assertEquals(0, waitingEndpoint.getInteger("in_flight"));
        assertEquals(waitingEndpoint.getString("first_due"), waitingEndpoint.getString("next_check"),
                "an endpoint is woken when its waiting delivery falls due, not before");

        Row retriedEndpoint = after.get(retried);
        assertEquals(0, retriedEndpoint.getInteger("in_flight"));
        assertEquals(retriedEndpoint.getString("first_due"), retriedEndpoint.getString("next_check"),
                "an endpoint whose delivery is retried is woken when the retry falls due");
    }

    /** Parks the three endpoints, records their outcomes in one batch and reads them back. */
    private static Uni<Map<Long, Row>> completeParkedEndpoints(SqlConnection connection, long idle, long waiting,
            long retried) {
        return park(connection, idle)
                .chain(() -> park(connection, waiting))
                .chain(() -> park(connection, retried))
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, next_attempt_at) VALUES (-2, now(), " + waiting + ", 0,"
                        + " now() + interval '1 day')"))
                .chain(() -> run(connection, "WITH batch AS (SELECT id, webhook_id,"
                        + "   CASE WHEN webhook_id = " + retried + " THEN 0 ELSE 2 END::smallint AS new_status"
                        + "   FROM delivery WHERE claim_token = -42 AND webhook_id IN (" + idle + ", " + waiting + ", "
                        + retried + ") ORDER BY id)"
                        + " SELECT count(*) FROM herald_complete("
                        + "  (SELECT array_agg(id) FROM batch), (SELECT array_agg(webhook_id) FROM batch),"
                        + "  (SELECT array_agg(-42::bigint) FROM batch), (SELECT array_agg(new_status) FROM batch),"
                        + "  (SELECT array_agg(4000::bigint) FROM batch), (SELECT array_agg(true) FROM batch),"
                        + "  (SELECT array_agg(5::bigint) FROM batch), (SELECT array_agg(5) FROM batch),"
                        + "  (SELECT array_agg(CASE WHEN new_status = 2 THEN 200 ELSE 500 END::smallint) FROM batch),"
                        + "  (SELECT array_agg(CASE WHEN new_status = 2 THEN NULL ELSE 'http_500' END) FROM batch),"
                        + "  (SELECT array_agg(NULL::text) FROM batch), (SELECT array_agg(NULL::bigint) FROM batch),"
                        + "  (SELECT array_agg(false) FROM batch), (SELECT array_agg(true) FROM batch))"))
                .chain(() -> endpoints(connection, idle, waiting, retried));
    }

    private long newWebhook() {
        return Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
    }

    /** The endpoint parked at its cap with one delivery in flight (claim token -42), as a claim leaves it. */
    private static Uni<Void> park(SqlConnection connection, long webhook) {
        return run(connection, "INSERT INTO endpoint_state (webhook_id) VALUES (" + webhook + ")"
                + " ON CONFLICT (webhook_id) DO NOTHING")
                .chain(() -> run(connection, "UPDATE endpoint_state SET in_flight = 1, next_check_at = 'infinity'"
                        + " WHERE webhook_id = " + webhook))
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, status, attempt_count, claim_token, lease_until)"
                        + " VALUES (-1, now(), " + webhook + ", 0, 1, 1, -42, now() + interval '1 hour')"));
    }

    private static Uni<Map<Long, Row>> endpoints(SqlConnection connection, long... webhooks) {
        StringBuilder ids = new StringBuilder();
        for (long webhook : webhooks) {
            ids.append(ids.isEmpty() ? "" : ", ").append(webhook);
        }
        return connection.query("SELECT e.webhook_id, e.in_flight, e.next_check_at::text AS next_check,"
                + " (SELECT min(d.next_attempt_at) FROM delivery d WHERE d.webhook_id = e.webhook_id"
                + "   AND d.status = 0)::text AS first_due"
                + " FROM endpoint_state e WHERE e.webhook_id IN (" + ids + ")").execute()
                .map(rows -> {
                    Map<Long, Row> byWebhook = new HashMap<>();
                    rows.forEach(row -> byWebhook.put(row.getLong("webhook_id"), row));
                    return byWebhook;
                });
    }

    private static Uni<Void> run(SqlConnection connection, String sql) {
        return connection.query(sql).execute().replaceWithVoid();
    }
}
