package dev.herald.dispatch;

import static dev.herald.testing.RolledBackPlans.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
 * A claim checks its candidate deliveries against the rooms of their receivers and applications once per endpoint,
 * not once per delivery against every receiver it holds and every application of the share list: with a generic
 * plan, which estimates the claim's endpoints at one row, those were joined pairwise (99,000 pairs rejected for 1,000
 * candidates and 100 shared receivers, measured).
 *
 * The plan is read with auto_explain, sent to this connection as notices, inside one transaction that is rolled
 * back: the deliveries it makes and claims are never seen by the running dispatcher.
 */
@QuarkusTest
class ClaimPlanTest extends WithReceiver {

    private static final int ENDPOINTS = 20;
    private static final int PER_ENDPOINT = 50;
    private static final int CANDIDATES = ENDPOINTS * PER_ENDPOINT;
    private static final int OTHER_APPLICATIONS = 50;
    private static final Pattern PAIRS_REJECTED = Pattern.compile("Rows Removed by Join Filter: (\\d+)");

    @Inject
    Pool pool;

    @Test
    void candidatesAreCheckedAgainstTheirReceiverAndApplicationOncePerEndpoint() {
        List<Long> webhooks = new ArrayList<>();
        for (int i = 0; i < ENDPOINTS; i++) {
            webhooks.add(Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/claims/" + i))));
        }
        Outcome<Integer> claimed = RolledBackPlans.capture(pool,
                connection -> claimBehindSharedReceivers(connection, webhooks));

        assertEquals(CANDIDATES, claimed.value(), "every candidate fits its endpoint, receiver and application");
        String plan = claimed.planContaining("WITH token AS");
        Matcher rejected = PAIRS_REJECTED.matcher(plan);
        while (rejected.find()) {
            assertTrue(Long.parseLong(rejected.group(1)) < CANDIDATES,
                    rejected.group(1) + " pairs compared and rejected in:\n" + plan);
        }
    }

    /**
     * Each endpoint behind a receiver of its own that the claim holds (shared), each with {@code PER_ENDPOINT} ready
     * deliveries, claimed with a generic plan and a share list of this application and {@code OTHER_APPLICATIONS}
     * others.
     */
    private Uni<Integer> claimBehindSharedReceivers(SqlConnection connection, List<Long> webhooks) {
        String ids = webhooks.stream().map(String::valueOf).collect(Collectors.joining(","));
        return run(connection, "INSERT INTO receiver (url_key, shared) SELECT 'claim-plan-test/' || w, true"
                + " FROM unnest('{" + ids + "}'::bigint[]) w")
                .chain(() -> run(connection, "UPDATE webhook w SET receiver_id = r.id FROM receiver r"
                        + " WHERE r.url_key = 'claim-plan-test/' || w.id AND w.id IN (" + ids + ")"))
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, next_attempt_at)"
                        + " SELECT -g, now(), w, p.application_id, now() - interval '1 minute'"
                        + " FROM unnest('{" + ids + "}'::bigint[]) w, generate_series(1, " + PER_ENDPOINT + ") g,"
                        + " provider p WHERE p.id = " + provider))
                .chain(() -> RolledBackPlans.explainEach(connection, "force_generic_plan"))
                .chain(() -> connection.query("SELECT count(*)::int AS claimed FROM herald_claim('{" + ids + "}',"
                        + " 1000, 1000000, 61000, " + PER_ENDPOINT + ", 60000, " + CANDIDATES + ","
                        + " ARRAY(SELECT p.application_id FROM provider p WHERE p.id = " + provider + ")"
                        + "   || ARRAY(SELECT -g FROM generate_series(1, " + OTHER_APPLICATIONS + ") g),"
                        + " array_fill(" + CANDIDATES + ", ARRAY[" + (OTHER_APPLICATIONS + 1) + "]), 0, 250)")
                        .execute())
                .map(rows -> rows.iterator().next().getInteger("claimed"));
    }
}
