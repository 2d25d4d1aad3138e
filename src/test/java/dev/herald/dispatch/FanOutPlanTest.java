package dev.herald.dispatch;

import static dev.herald.testing.RolledBackPlans.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
 * A fan-out call's work is linear in its events even when the statistics say that no event waits (as autovacuum finds
 * event_pending between bursts) and the plans are generic ones (as a pooled connection's become after five calls).
 * While the events' statement joined event_pending again, such plans read it pairwise: the whole index for each event
 * (on the bench, calls of 500 events took 0.6-0.8 s instead of 20-30 ms and the SQL floor fell from about 10,000
 * deliveries a second to 1,440), or each pending row compared with each event.
 *
 * The plans are read with auto_explain, sent to this connection as notices, inside one transaction that is rolled
 * back: the events it adds are never seen by the running dispatcher.
 */
@QuarkusTest
class FanOutPlanTest extends WithReceiver {

    private static final int EVENTS = 200;
    /* a read of event_pending's key: how many times, and its condition */
    private static final Pattern PENDING_PROBE = Pattern.compile(
            "Scan (?:using|on) event_pending_pkey[^\\n]*loops=(\\d+)\\)\\n\\s*Index Cond: ([^\\n]*)");
    private static final Pattern PAIRS_REJECTED = Pattern.compile("Rows Removed by Join Filter: (\\d+)");

    @Inject
    Pool pool;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "force_generic_plan", "force_custom_plan" })
    void waitingEventsAreReadInTimeLinearInThemWhenStatisticsSayNoneWait(String planCacheMode) {
        GraphQL.newWebhook(key, provider, receiver.url("/unused"));
        Outcome<Row> fannedOut = RolledBackPlans.capture(pool, connection -> fanOutAfterDrain(connection, planCacheMode));
        Row round = fannedOut.value();
        List<String> plans = fannedOut.plans();

        assertEquals(EVENTS, round.getInteger("events"), "every event is fanned out");
        assertEquals(EVENTS, round.getInteger("deliveries"), "one delivery per event to the one webhook");
        fannedOut.planContaining("candidate AS");  // the events' statement
        for (String plan : plans) {
            Matcher probes = PENDING_PROBE.matcher(plan);
            while (probes.find()) {
                boolean wholeKey = probes.group(2).contains("application_id") && probes.group(2).contains("event_id");
                assertTrue(wholeKey || Integer.parseInt(probes.group(1)) == 1, "event_pending probed " + probes.group(1) + " times by part of its key (" + probes.group(2)
                                + ") in:\n" + plan);
            }
            Matcher rejected = PAIRS_REJECTED.matcher(plan);
            while (rejected.find()) {
                assertTrue(Long.parseLong(rejected.group(1)) < EVENTS,
                        rejected.group(1) + " pairs compared and rejected in:\n" + plan);
            }
        }
    }

    /**
     * Statistics of event_pending taken with its pages drained of their rows (ANALYZE then records pages with no
     * rows on them, and the planner expects none however many come in), then events added and fanned out.
     */
    private Uni<Row> fanOutAfterDrain(SqlConnection connection, String planCacheMode) {
        return connection.query("SELECT application_id FROM provider WHERE id = " + provider).execute()
                .map(rows -> rows.iterator().next().getInteger("application_id"))
                .chain(application -> run(connection, "INSERT INTO event_pending (application_id, event_id,"
                        + " event_accepted_at) SELECT " + application + ", -g, now() FROM generate_series(1, 2000) g"))
                .chain(() -> run(connection, "DELETE FROM event_pending WHERE event_id < 0"))
                .chain(() -> run(connection, "ANALYZE event_pending"))
                .chain(() -> run(connection, "INSERT INTO event (provider_id, payload)"
                        + " SELECT " + provider + ", json_build_object('id', g, 'channelType', 1)"
                        + " FROM generate_series(1, " + EVENTS + ") g"))
                .chain(() -> RolledBackPlans.explainEach(connection, planCacheMode))
                .chain(() -> connection.query("SELECT events, deliveries FROM herald_fan_out(500, 1000, 4)").execute())
                .map(rows -> rows.iterator().next());
    }
}
