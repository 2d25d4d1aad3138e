package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * herald_complete finds each outcome's delivery by one probe of the primary key, even when the statistics say that
 * almost nothing is in flight (as right after a quiet spell, before autovacuum analyzes again). V11's statements let
 * the planner compare every outcome with every in-flight row instead: this batch of 500 (250 retried, 250 delivered)
 * rejected 62,250 pairs in each of its UPDATE and DELETE.
 *
 * The plans are read with auto_explain, sent to this connection as notices, inside one transaction that is rolled
 * back: the 500 in-flight deliveries it makes are never seen by the running dispatcher.
 */
@QuarkusTest
class CompletionPlanTest extends WithReceiver {

    private static final int BATCH = 500;
    private static final Pattern PRIMARY_KEY_PROBE = Pattern.compile(
            "Index Scan using delivery_hot_pkey on delivery d\\w*[^\\n]*\\n\\s*Index Cond: \\(id = o\\w*\\.delivery_id\\)");

    @Inject
    Pool pool;

    @Test
    void outcomesFindTheirDeliveriesByPrimaryKeyWhenStatisticsAreStale() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        List<String> plans = new CopyOnWriteArrayList<>();
        Row ended = pool.getConnection().flatMap(connection -> {
            PgConnection.cast(connection).noticeHandler(notice -> plans.add(notice.getMessage()));
            return connection.begin().flatMap(transaction -> completeStaleBatch(connection, webhook)
                    .call(transaction::rollback))
                    .eventually(connection::close);
        }).await().atMost(Duration.ofSeconds(60));

        assertEquals(BATCH / 2, ended.getLong("delivered"), "every delivered outcome is recorded");
        assertEquals(BATCH / 2, ended.getLong("retried"), "every retried outcome is recorded");
        String plan = plans.stream().filter(p -> p.contains("Delete on delivery")).findFirst()
                .orElseThrow(() -> new AssertionError("no completion plan among " + plans.size() + " notices"));
        assertTrue(plan.contains("Update on delivery"), plan);
        // the retried UPDATE and the finished DELETE: each probes the primary key with its outcome's id
        assertEquals(2, PRIMARY_KEY_PROBE.matcher(plan).results().count(), "primary key probes in:\n" + plan);
        assertFalse(plan.contains("Rows Removed by Join Filter"), "outcomes compared pairwise:\n" + plan);
    }

    /** Statistics of the hot table taken with none of the batch in it, then the batch in flight and completed. */
    private Uni<Row> completeStaleBatch(SqlConnection connection, long webhook) {
        return run(connection, "ANALYZE delivery")
                .chain(() -> run(connection, "INSERT INTO endpoint_state (webhook_id) VALUES (" + webhook + ")"
                        + " ON CONFLICT (webhook_id) DO NOTHING"))
                .chain(() -> run(connection, "UPDATE endpoint_state SET in_flight = " + BATCH
                        + " WHERE webhook_id = " + webhook))
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, status, attempt_count, claim_token, lease_until)"
                        + " SELECT -g, now(), " + webhook + ", 0, 1, 1, -42, now() + interval '1 hour'"
                        + " FROM generate_series(1, " + BATCH + ") g"))
                .chain(() -> run(connection, "LOAD 'auto_explain'"))
                .chain(() -> run(connection, "SET LOCAL auto_explain.log_min_duration = 0;"
                        + " SET LOCAL auto_explain.log_analyze = on; SET LOCAL auto_explain.log_timing = off;"
                        + " SET LOCAL auto_explain.log_nested_statements = on;"
                        + " SET LOCAL auto_explain.log_level = notice"))
                .chain(() -> connection.query("WITH batch AS (SELECT id, id % 2 = 0 AS delivered FROM delivery"
                        + "  WHERE claim_token = -42 ORDER BY id),"
                        + " ended AS (SELECT * FROM herald_complete("
                        + "  (SELECT array_agg(id) FROM batch), (SELECT array_agg(" + webhook + "::bigint) FROM batch),"
                        + "  (SELECT array_agg(-42::bigint) FROM batch),"
                        + "  (SELECT array_agg(CASE WHEN delivered THEN 2 ELSE 0 END::smallint) FROM batch),"
                        + "  (SELECT array_agg(4000::bigint) FROM batch), (SELECT array_agg(true) FROM batch),"
                        + "  (SELECT array_agg(5::bigint) FROM batch), (SELECT array_agg(5) FROM batch),"
                        + "  (SELECT array_agg(CASE WHEN delivered THEN 200 ELSE 500 END::smallint) FROM batch),"
                        + "  (SELECT array_agg(CASE WHEN delivered THEN NULL ELSE 'http_500' END) FROM batch),"
                        + "  (SELECT array_agg(NULL::text) FROM batch), (SELECT array_agg(NULL::bigint) FROM batch),"
                        + "  (SELECT array_agg(false) FROM batch), (SELECT array_agg(false) FROM batch)))"
                        + " SELECT count(*) FILTER (WHERE status = 2) AS delivered,"
                        + "        count(*) FILTER (WHERE status = 0) AS retried FROM ended")
                        .execute())
                .map(rows -> rows.iterator().next());
    }

    private static Uni<Void> run(SqlConnection connection, String sql) {
        return connection.query(sql).execute().replaceWithVoid();
    }
}
