package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * One event on a provider with 20,000 webhooks fans out in statements of at most herald.dispatch.fan-out-deliveries
 * (1,000) deliveries each: a statement caught in the middle holds at most that many endpoint rows, and claims for
 * other endpoints go on meanwhile. The event row is never written again: its place between statements is kept in
 * fan-out's queue.
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class BoundedFanOutTest implements LeavesNoDeliveries {

    private static final int WEBHOOKS = 20_000;

    @Inject
    FanOut fanOut;

    @Inject
    Claimer claimer;

    @Inject
    DispatchConfig dispatch;

    @Inject
    Database database;

    @Inject
    Pool pool;

    private String crowdApplication;

    @AfterEach
    void forgetTheCrowd() {
        database.query("DELETE FROM application WHERE name = '" + crowdApplication + "'");
    }

    @Test
    void oneEventToTwentyThousandWebhooksFansOutInBoundedStatements() throws Exception {
        crowdApplication = "crowd-" + System.nanoTime();
        String key = GraphQL.newApplication(crowdApplication);
        int crowd = GraphQL.newProvider(key, "crowd");
        int alone = GraphQL.newProvider(key, "alone");
        String aloneWebhook = GraphQL.newWebhook(key, alone, "http://127.0.0.1:9/alone");
        String first = GraphQL.newWebhook(key, crowd, "http://127.0.0.1:9/crowd");
        database.query("INSERT INTO webhook (provider_id, webhook_url, secret) SELECT provider_id, webhook_url, secret"
                + " FROM webhook, generate_series(2, " + WEBHOOKS + ") WHERE id = " + first);
        // every crowd endpoint has its row already, as after earlier deliveries: a fan-out locks the ones it wakes
        database.query("INSERT INTO endpoint_state (webhook_id) SELECT id FROM webhook WHERE provider_id = " + crowd
                + " ON CONFLICT DO NOTHING");
        Events.post(key, Events.notification(1, alone));
        while (fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(30)).more()) {
            // the alone provider's delivery, and whatever other tests left
        }
        Events.post(key, Events.notification(2, crowd));
        String eventRow = "SELECT ctid::text || '/' || xmin::text FROM event WHERE provider_id = " + crowd;
        String asInserted = database.query(eventRow).iterator().next().getString(0);

        // the first fan-out statement, caught with its transaction open
        SqlConnection fanning = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            fanning.query("BEGIN").execute().await().atMost(Duration.ofSeconds(10));
            int created = fanning.query("SELECT deliveries FROM herald_fan_out(%d, %d, 4)"
                    .formatted(dispatch.fanOutBatch(), dispatch.fanOutDeliveries())).execute()
                    .await().atMost(Duration.ofSeconds(30)).iterator().next().getInteger(0);
            assertEquals(dispatch.fanOutDeliveries(), created);
            assertEquals(WEBHOOKS - dispatch.fanOutDeliveries(), lockableCrowdEndpoints(crowd),
                    "the statement holds exactly the endpoint rows of the deliveries it created");
            List<ClaimedDelivery> claimed = claimer.claim(10, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries();
            assertTrue(claimed.stream().anyMatch(d -> d.webhookId() == Long.parseLong(aloneWebhook)),
                    "another endpoint was claimed meanwhile: " + claimed);
        } finally {
            fanning.query("COMMIT").execute().await().atMost(Duration.ofSeconds(10));
            fanning.close().await().atMost(Duration.ofSeconds(10));
        }

        int statements = 1;
        FanOut.Round round;
        do {
            round = fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(30));
            statements++;
            assertTrue(round.deliveries() <= dispatch.fanOutDeliveries(),
                    "one statement created " + round.deliveries() + " deliveries");
        } while (round.more());
        assertTrue(statements >= WEBHOOKS / dispatch.fanOutDeliveries(), statements + " statements");
        assertEquals(asInserted, database.query(eventRow).iterator().next().getString(0),
                "the event row is as its INSERT wrote it: fan-out kept its place in event_pending");
        assertEquals(0, database.count(Database.WAITING_EVENTS + " WHERE e.provider_id = " + crowd));
        // 20,000 webhooks and deliveries just written, before autovacuum saw them: in one full verify run the counts
        // below took more than their 30 s (6 s for the whole test alone; suspected: a plan from stale statistics)
        database.query("ANALYZE webhook, delivery");
        assertEquals(WEBHOOKS, database.count("delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.provider_id = "
                + crowd));
        assertEquals(WEBHOOKS, database.count("(SELECT DISTINCT d.webhook_id FROM delivery d JOIN webhook w"
                + " ON w.id = d.webhook_id WHERE w.provider_id = " + crowd + ") once"), "one delivery per webhook");
    }

    /** Crowd endpoint rows another transaction can lock now (SKIP LOCKED passes over the ones held). */
    private long lockableCrowdEndpoints(int crowd) {
        return pool.withTransaction(connection -> connection.query("SELECT count(*) FROM (SELECT e.webhook_id"
                + " FROM endpoint_state e JOIN webhook w ON w.id = e.webhook_id WHERE w.provider_id = " + crowd
                + " FOR UPDATE OF e SKIP LOCKED) lockable").execute())
                .await().atMost(Duration.ofSeconds(30)).iterator().next().getLong(0);
    }
}
