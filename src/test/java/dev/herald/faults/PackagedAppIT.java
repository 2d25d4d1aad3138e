package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.StringJoiner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * The packaged jar as an operator runs it, in the production profile: how long it takes to be ready, GraphQL's
 * limits and UI as production has them, a SIGTERM
 * while an attempt is in flight (the attempt finishes, is recorded, and the process exits 0), and a missing
 * required setting (it stops at once, naming the environment variable to set).
 */
class PackagedAppIT extends FaultTier {

    @Test
    void startsReadyAndStopsOnSigtermWithItsAttemptRecorded() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/slow", 200, Duration.ofSeconds(3));
            long started = System.nanoTime();
            Herald herald = Herald.named("packaged-sigterm").start(database);
            long readyMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("FAULT packaged app: ready " + readyMs + " ms after its process started");
            assertTrue(readyMs < 30_000, "ready in " + readyMs + " ms");
            try (herald) {
                Herald.Tenant tenant = herald.newTenant("sigterm");
                assertEquals(404, herald.status("/q/graphql-ui/"), "no GraphQL UI in production unless switched on");
                assertEquals(404, herald.status("/dev/echo"), "no dev receiver in production");
                assertAliasFloodRefusedQuickly(herald, tenant);
                herald.newWebhook(tenant, receiver.url("/slow"));
                herald.postEvents(tenant.key(), Events.notification(1, tenant.provider()));
                receiver.await("/slow", r -> r.size() == 1, Duration.ofSeconds(10));

                assertEquals(0, herald.terminate(Duration.ofSeconds(30)), "exit code after SIGTERM:\n" + herald.log());
                assertEquals(1, database.queryLong("""
                        SELECT count(*) FROM delivery_history h JOIN delivery_attempt a ON a.delivery_id = h.id
                         WHERE h.status = 2 AND a.status_code = 200 AND a.duration_ms >= 3000"""),
                        "the attempt in flight was finished and recorded before the process ended");
                assertEquals(0, database.queryLong("SELECT count(*) FROM delivery"), "nothing left in flight");
                assertTrue(herald.log().contains("Dispatcher drained: every attempt in flight was recorded"),
                        herald.log());
            }
        }
    }

    /** 500 aliases of the largest page: refused, and (the median of 7, once warm) in under 100 ms. */
    private static void assertAliasFloodRefusedQuickly(Herald herald, Herald.Tenant tenant) throws Exception {
        StringJoiner flood = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 500; i++) {
            flood.add("a" + i + ": deliveries(limit: 500) { items { id attempts { error responseExcerpt } } }");
        }
        long[] millis = new long[7];
        for (int round = -5; round < millis.length; round++) { // five rounds to warm the path first
            long started = System.nanoTime();
            JsonNode refused = herald.graphql(tenant.key(), flood.toString());
            long took = (System.nanoTime() - started) / 1_000_000;
            assertEquals("BAD_REQUEST", refused.at("/errors/0/extensions/classification").asText(), refused.toString());
            if (round >= 0) {
                millis[round] = took;
            }
        }
        Arrays.sort(millis);
        System.out.println("FAULT packaged app: 500 aliases of deliveries(limit: 500) refused in " + millis[3]
                + " ms (median of 7; " + millis[0] + "-" + millis[6] + ")");
        // refused before anything runs (BAD_REQUEST above says the limits answered): 29-45 ms here on a quiet
        // machine, 100 ms once while other fault-tier ITs ran beside it; running 500 resolvers takes seconds
        assertTrue(millis[3] < 250, Arrays.toString(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = { "QUARKUS_DATASOURCE_REACTIVE_URL", "HERALD_SIGNING_ENCRYPTION_KEY" })
    void aMissingRequiredSettingStopsItNamingTheVariable(String variable) throws Exception {
        Herald.Exited exited = Herald.named("packaged-without-" + variable.toLowerCase()).without(variable)
                .startExpectingExit(database, Duration.ofSeconds(60));
        assertNotEquals(0, exited.exitCode(), exited.log());
        assertTrue(exited.log().contains(variable), "the log names " + variable + ":\n" + exited.log());
    }
}
