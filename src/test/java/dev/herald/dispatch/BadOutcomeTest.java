package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.LogCapture;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * One outcome PostgreSQL refuses for its data (here a NUL character, which text cannot hold) must not hold back
 * the others recorded with it: they are recorded, and the bad one is left to its lease.
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class BadOutcomeTest implements LeavesNoDeliveries {

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    Claimer claimer;

    @Inject
    FanOut fanOut;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryMetrics metrics;

    @Inject
    Database database;

    /** Its claim takes any due delivery of the database: one an earlier test class left would be claimed with its own. */
    @BeforeEach
    void startWithNoDeliveries() {
        database.finishEveryDelivery();
    }

    @Test
    void theOtherOutcomesOfABatchAreRecordedAndTheBadOneIsLeftToItsLease() {
        String key = GraphQL.newApplication("bad-outcome");
        int provider = GraphQL.newProvider(key, "smtp");
        String webhook = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/bad");
        Events.post(key, Events.notifications(5, provider));
        fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(10));
        List<ClaimedDelivery> claimed = claimer.claim(5, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries();
        assertEquals(5, claimed.size());

        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < claimed.size(); i++) {
            String excerpt = i == 2 ? "bad\u0000answer" : "ok";
            // the sender replaces NUL in excerpts; the error text is where one could still slip through
            AttemptResult result = new AttemptResult(3, i == 2 ? null : 200,
                    i == 2 ? "network: \u0000" : null, excerpt);
            outcomes.add(Outcome.of(claimed.get(i), result));
        }
        Completer completer = new Completer(pool, vertx, dispatch, metrics, () -> {
        });
        try (LogCapture log = LogCapture.of(Completer.class)) {
            completer.recordIsolatingBadOutcomes(outcomes).await().atMost(Duration.ofSeconds(10));
            assertEquals(1, log.atLeast(Level.SEVERE).size(), "the outcome at fault is logged at ERROR, once");
            String message = LogCapture.message(log.atLeast(Level.SEVERE).get(0));
            assertTrue(message.contains("delivery " + claimed.get(2).id() + " "), "naming its delivery: " + message);
        }

        assertEquals(4, database.count("all_deliveries WHERE status = 2 AND webhook_id = " + webhook),
                () -> "delivery:status of the batch " + database.query("SELECT string_agg(id || ':' || status, ',')"
                        + " FROM all_deliveries WHERE webhook_id = " + webhook).iterator().next().getString(0)
                        + ", claimed " + claimed.stream().map(ClaimedDelivery::id).toList());
        assertEquals(1, database.count("delivery WHERE status = 1 AND id = " + claimed.get(2).id()),
                "the bad outcome is not recorded: its delivery stays claimed until the lease expires");
        assertEquals(1, database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                .iterator().next().getInteger(0), "only the recorded outcomes gave back their slots");
    }
}
