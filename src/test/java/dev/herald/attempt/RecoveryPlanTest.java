package dev.herald.attempt;

import static dev.herald.testing.RolledBackPlans.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import dev.herald.testing.RolledBackPlans;
import dev.herald.testing.RolledBackPlans.Outcome;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * A recovery slice checks each of its events for a delivery to the webhook by the event, not by reading the webhook's
 * backlog, even when the statistics say the hot table is empty (as autovacuum finds it between bursts) and the plan is
 * a generic one. A webhook being recovered is often one that was off and holds a backlog, and a window can be hundreds
 * of slices: with such statistics, each slice read and sorted the webhook's whole backlog.
 *
 * The plan is read with auto_explain, sent to this connection as notices, inside one transaction that is rolled back.
 */
@QuarkusTest
class RecoveryPlanTest extends WithReceiver {

    private static final int BACKLOG = 2_000;
    private static final int EVENTS = 20;
    /* a read of the hot table's rows: rows found per loop, and loops */
    private static final Pattern HOT_TABLE_READ = Pattern.compile(
            "(?:Scan using delivery_(?:hot_pkey|queue_idx|of_event_idx|of_application_idx|ordering_idx)|Scan on delivery )"
                    + "[^\\n]*actual rows=(\\d+) loops=(\\d+)");

    @Inject
    Pool pool;

    @Test
    void aSliceLooksUpItsEventsNotTheWebhooksBacklogWhenStatisticsSayTheHotTableIsEmpty() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        Outcome<Integer> recovered = RolledBackPlans.capture(pool, connection -> recoverBehindABacklog(connection, webhook));

        assertEquals(EVENTS, recovered.value(), "a delivery for each event the webhook missed");
        String plan = recovered.planContaining("INSERT INTO delivery");
        Matcher reads = HOT_TABLE_READ.matcher(plan);
        int found = 0;
        while (reads.find()) {
            found++;
            long rows = Long.parseLong(reads.group(1)) * Long.parseLong(reads.group(2));
            assertTrue(rows < BACKLOG / 10, rows + " rows of the hot table read for " + EVENTS + " events in:\n" + plan);
        }
        assertTrue(found > 0, "the hot table read in:\n" + plan);
    }

    /**
     * Statistics of the hot table taken while it was drained, then a backlog of the webhook in it, and events of its
     * provider already fanned out (out of event_pending) that it has no delivery for.
     */
    private Uni<Integer> recoverBehindABacklog(SqlConnection connection, long webhook) {
        String backlog = "INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id)"
                + " SELECT -g, now(), " + webhook + ", 0 FROM generate_series(1, " + BACKLOG + ") g";
        return run(connection, backlog)
                .chain(() -> run(connection, "DELETE FROM delivery WHERE webhook_id = " + webhook))
                .chain(() -> run(connection, "ANALYZE delivery"))
                .chain(() -> run(connection, backlog))
                .chain(() -> run(connection, "INSERT INTO event (provider_id, payload) SELECT " + provider + ","
                        + " json_build_object('id', g, 'channelType', 1) FROM generate_series(1, " + EVENTS + ") g"))
                .chain(() -> run(connection, "DELETE FROM event_pending WHERE event_id IN"
                        + " (SELECT id FROM event WHERE provider_id = " + provider + ")"))
                .chain(() -> RolledBackPlans.explainEach(connection, "force_generic_plan"))
                .chain(() -> connection.query("SELECT herald_recover_webhook(" + webhook + ","
                        + " p.application_id, now() - interval '1 hour', now() + interval '1 hour',"
                        + " (SELECT min(id) - 1 FROM event WHERE provider_id = " + provider + "),"
                        + " (SELECT max(id) FROM event WHERE provider_id = " + provider + "), 4) AS made"
                        + " FROM provider p WHERE p.id = " + provider).execute())
                .map(rows -> rows.iterator().next().getInteger("made"));
    }
}
