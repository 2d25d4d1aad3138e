package dev.herald.dispatch;

import static dev.herald.testing.RolledBackPlans.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.herald.testing.GraphQL;
import dev.herald.testing.RolledBackPlans;
import dev.herald.testing.RolledBackPlans.Outcome;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * herald_complete joins a batch's outcomes to their deliveries in time linear in the batch, even when the statistics
 * say that almost nothing is in flight (as right after a quiet spell, before autovacuum analyzes again). V11's
 * statements let the planner compare every outcome with every in-flight row: this batch of 500 (250 retried, 250
 * delivered) rejected 62,250 pairs in each of its UPDATE and DELETE. V14's did too, on a table drained of its rows
 * (124,750 pairs each, 222 ms); since V16 that statement is planned with hash joins only. And the deliveries are
 * found through the primary key: while other indexes of the hot table ended with the id, these statistics had the
 * planner read a whole one of them for the batch's ids instead (V40).
 *
 * The plans are read with auto_explain, sent to this connection as notices, inside one transaction that is rolled
 * back: the 500 in-flight deliveries it makes are never seen by the running dispatcher.
 */
@QuarkusTest
class CompletionPlanTest extends WithReceiver {

    private static final int BATCH = 500;
    /* an index read for the batch's ids, and which one */
    private static final Pattern LOOKUP_BY_ID = Pattern.compile(
            "Scan (?:using|on) (\\w+)[^\\n]*\\n(?:[^\\n]*\\n)??\\s*Index Cond: \\(id = ANY");
    private static final Pattern HASHED_OUTCOMES = Pattern.compile(
            "Hash Cond: \\(\\(\\w+\\.(id|delivery_id) = \\w+\\.(id|delivery_id)\\)");

    @Inject
    Pool pool;

    @ParameterizedTest(name = "statistics of a table {0}")
    @ValueSource(strings = { "with no rows", "drained of its rows" })
    void outcomesFindTheirDeliveriesByPrimaryKeyWhenStatisticsAreStale(String table) {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        Outcome<Row> completed = RolledBackPlans.capture(pool,
                connection -> completeStaleBatch(connection, webhook, table.startsWith("drained")));
        Row ended = completed.value();

        assertEquals(BATCH / 2, ended.getLong("delivered"), "every delivered outcome is recorded");
        assertEquals(BATCH / 2, ended.getLong("retried"), "every retried outcome is recorded");
        String plan = completed.planContaining("Delete on delivery");
        assertTrue(plan.contains("Update on delivery"), plan);
        // the retried UPDATE and the finished DELETE: each joins its outcomes to their deliveries by hashing
        assertEquals(2, HASHED_OUTCOMES.matcher(plan).results().count(), "hash joins by id in:\n" + plan);
        assertFalse(plan.contains("Nested Loop"), "a nested loop can compare outcomes pairwise:\n" + plan);
        assertFalse(plan.contains("Rows Removed by Join Filter"), "outcomes compared pairwise:\n" + plan);
        // by their primary key: through an index whose first column is another, a lookup by id reads it whole
        Matcher byId = LOOKUP_BY_ID.matcher(plan);
        int lookups = 0;
        while (byId.find()) {
            lookups++;
            assertEquals("delivery_hot_pkey", byId.group(1), "deliveries looked up by id in:\n" + plan);
        }
        assertEquals(2, lookups, "the retried and the finished deliveries looked up by id in:\n" + plan);
    }

    /**
     * Statistics of the hot table taken with none of the batch in it, then the batch in flight and completed. A
     * drained table is the harder case: it keeps its pages, so ANALYZE records pages with no rows on them, and the
     * planner then expects no row at all however many come in.
     */
    private Uni<Row> completeStaleBatch(SqlConnection connection, long webhook, boolean drained) {
        Uni<Void> drain = !drained ? Uni.createFrom().voidItem()
                : run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id)"
                        + " SELECT -g, now(), " + webhook + ", 0 FROM generate_series(1, " + BATCH + ") g")
                        .chain(() -> run(connection, "DELETE FROM delivery WHERE webhook_id = " + webhook));
        return drain.chain(() -> run(connection, "ANALYZE delivery"))
                .chain(() -> run(connection, "INSERT INTO endpoint_state (webhook_id) VALUES (" + webhook + ")"
                        + " ON CONFLICT (webhook_id) DO NOTHING"))
                .chain(() -> run(connection, "UPDATE endpoint_state SET in_flight = " + BATCH
                        + " WHERE webhook_id = " + webhook))
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, status, attempt_count, claim_token, lease_until)"
                        + " SELECT -g, now(), " + webhook + ", 0, 1, 1, -42, now() + interval '1 hour'"
                        + " FROM generate_series(1, " + BATCH + ") g"))
                .chain(() -> RolledBackPlans.explainEach(connection, "auto"))
                .chain(() -> connection.query("WITH batch AS (SELECT id, id % 2 = 0 AS delivered FROM delivery"
                        + "  WHERE claim_token = -42 ORDER BY id),"
                        + " ended AS (SELECT * FROM " + completeBatch(webhook, false) + ")"
                        + " SELECT count(*) FILTER (WHERE status = 2) AS delivered,"
                        + "        count(*) FILTER (WHERE status = 0) AS retried FROM ended")
                        .execute())
                .map(rows -> rows.iterator().next());
    }

    /**
     * The call of herald_complete for the claims of a query's CTE {@code batch (id, delivered)}, all under claim token
     * -42 of {@code webhook}: the delivered ones answered 200, the others 500 and retried in 4 s; {@code reached}: the
     * receiver had a part in each (they enter its health).
     */
    static String completeBatch(long webhook, boolean reached) {
        return "herald_complete("
                + "  (SELECT array_agg(id) FROM batch), (SELECT array_agg(" + webhook + "::bigint) FROM batch),"
                + "  (SELECT array_agg(-42::bigint) FROM batch),"
                + "  (SELECT array_agg(CASE WHEN delivered THEN 2 ELSE 0 END::smallint) FROM batch),"
                + "  (SELECT array_agg(4000::bigint) FROM batch), (SELECT array_agg(true) FROM batch),"
                + "  (SELECT array_agg(5::bigint) FROM batch), (SELECT array_agg(5) FROM batch),"
                + "  (SELECT array_agg(CASE WHEN delivered THEN 200 ELSE 500 END::smallint) FROM batch),"
                + "  (SELECT array_agg(CASE WHEN delivered THEN NULL ELSE 'http_500' END) FROM batch),"
                + "  (SELECT array_agg(NULL::text) FROM batch), (SELECT array_agg(NULL::bigint) FROM batch),"
                + "  (SELECT array_agg(false) FROM batch), (SELECT array_agg(" + reached + ") FROM batch))";
    }
}
