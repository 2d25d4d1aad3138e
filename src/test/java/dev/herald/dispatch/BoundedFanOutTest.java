package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.ManualDispatch;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * One event on a provider with 20,000 webhooks fans out in statements of at most herald.dispatch.fan-out-deliveries
 * (1,000) deliveries each, so no statement holds thousands of endpoint rows; claims for other endpoints go on
 * between them.
 */
@QuarkusTest
@TestProfile(ManualDispatch.class)
class BoundedFanOutTest {

    private static final int WEBHOOKS = 20_000;

    @Inject
    FanOut fanOut;

    @Inject
    Claimer claimer;

    @Inject
    DispatchConfig dispatch;

    @Inject
    Database database;

    private String crowdApplication;

    @AfterEach
    void forgetTheCrowd() {
        database.finishEveryDelivery();
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
        Events.post(key, Events.notifications(5, alone));
        while (fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(30)).more()) {
            // the alone provider's five deliveries, and whatever other tests left
        }
        Events.post(key, Events.notification(1, crowd));

        // another replica claims the alone endpoint's deliveries, one at a time, while the crowd fans out
        AtomicBoolean fanningOut = new AtomicBoolean(true);
        List<Long> claimedMeanwhile = new CopyOnWriteArrayList<>();
        Thread otherReplica = new Thread(() -> {
            while (fanningOut.get() && claimedMeanwhile.size() < 5) {
                claimer.claim(1).await().atMost(Duration.ofSeconds(30)).deliveries().stream()
                        .filter(d -> d.webhookId() == Long.parseLong(aloneWebhook))
                        .forEach(d -> claimedMeanwhile.add(d.id()));
            }
        });
        otherReplica.start();
        int statements = 0;
        FanOut.Round round;
        try {
            do {
                round = fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(30));
                statements++;
                assertTrue(round.deliveries() <= dispatch.fanOutDeliveries(),
                        "one statement created " + round.deliveries() + " deliveries");
            } while (round.more());
        } finally {
            fanningOut.set(false);
            otherReplica.join(30_000);
        }
        assertTrue(statements >= WEBHOOKS / dispatch.fanOutDeliveries(), statements + " statements");
        assertEquals(WEBHOOKS, database.count("delivery d JOIN webhook w ON w.id = d.webhook_id WHERE w.provider_id = "
                + crowd));
        assertEquals(WEBHOOKS, database.count("(SELECT DISTINCT d.webhook_id FROM delivery d JOIN webhook w"
                + " ON w.id = d.webhook_id WHERE w.provider_id = " + crowd + ") once"), "one delivery per webhook");
        assertTrue(!claimedMeanwhile.isEmpty(), "no claim of another endpoint went through during the fan-out");
    }
}
