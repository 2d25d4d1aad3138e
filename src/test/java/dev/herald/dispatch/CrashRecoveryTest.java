package dev.herald.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.AttemptResult;
import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Metrics;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class CrashRecoveryTest {

    @Inject
    Dispatchers dispatchers;

    @Inject
    Claimer claimer;

    @Inject
    FanOut fanOut;

    @Inject
    Database database;

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    DispatchConfig dispatch;

    @Inject
    dev.herald.metrics.DeliveryMetrics metrics;

    @Test
    void aDeadReplicasClaimIsTakenOverAfterItsLeaseAndItsLateOutcomeIsIgnored() throws Exception {
        String key = GraphQL.newApplication("crash");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            String webhook = GraphQL.newWebhook(key, provider, receiver.url("/hook"));
            Events.post(key, Events.notification(1, provider));
            fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(10));

            // a replica claims and dies before sending (kill -9)
            List<ClaimedDelivery> lost = claimer.claim(10, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries();
            assertEquals(1, lost.size());
            assertEquals(1, inFlight(webhook));

            Dispatcher survivor = dispatchers.newDispatcher();
            survivor.start();
            try {
                var got = receiver.await("/hook", r -> r.size() == 1, Duration.ofSeconds(15));
                assertEquals(lost.get(0).messageId(), got.get(0).headers().get("webhook-id"));
                awaitStatus(lost.get(0).id(), DeliveryState.DELIVERED);
            } finally {
                survivor.drain(Duration.ofSeconds(5));
            }
            assertEquals(0, inFlight(webhook));
            List<String> errors = database.query("SELECT coalesce(error, 'ok') FROM delivery_attempt WHERE delivery_id = "
                    + lost.get(0).id() + " ORDER BY attempt_number").stream().map(r -> r.getString(0)).toList();
            assertEquals(List.of("lease expired", "ok"), errors);

            // the dead replica comes back and records a failure under its old token: fenced out
            Completer stale = new Completer(pool, vertx, dispatch, metrics, () -> {
            });
            AttemptResult failure = new AttemptResult(5, 500, "http_500", "late");
            stale.record(List.of(Outcome.of(lost.get(0), failure)))
                    .await().atMost(Duration.ofSeconds(10));
            assertEquals(DeliveryState.DELIVERED, status(lost.get(0).id()));
            assertEquals(0, inFlight(webhook));
            assertEquals(2, database.count("delivery_attempt WHERE delivery_id = " + lost.get(0).id()));
            assertEquals(1, receiver.at("/hook").size(), "sent once: the crashed claim never sent");
        }
    }

    @Test
    void drainingFinishesAndRecordsAttemptsInFlight() throws Exception {
        String key = GraphQL.newApplication("drain");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/slow", 200, Duration.ofMillis(1_200));
            GraphQL.newWebhook(key, provider, receiver.url("/slow"));
            Events.post(key, Events.notification(1, provider));
            Dispatcher replica = dispatchers.newDispatcher();
            replica.start();
            receiver.await("/slow", r -> r.size() == 1, Duration.ofSeconds(10));
            long started = System.nanoTime();
            replica.drain(Duration.ofSeconds(10));
            assertTrue(System.nanoTime() - started > Duration.ofMillis(500).toNanos(), "drain waited for the answer");
            long id = database.query("SELECT d.id FROM all_deliveries d JOIN webhook w ON w.id = d.webhook_id"
                    + " JOIN provider p ON p.id = w.provider_id WHERE p.id = " + provider).iterator().next().getLong(0);
            assertEquals(DeliveryState.DELIVERED, status(id));
        }
    }

    @Test
    void aLeaseThatRunsOutOnTheLastAttemptEndsTheDeliveryFailedAndIsCounted() throws Exception {
        String key = GraphQL.newApplication("last-lease");
        int provider = GraphQL.newProvider(key, "smtp");
        String webhook = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/never-reached");
        Events.post(key, Events.notification(1, provider));
        fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(10));
        database.query("UPDATE delivery SET attempt_limit = 1 WHERE webhook_id = " + webhook);
        double failedBefore = Metrics.value("herald_deliveries_total{outcome=\"failed\"}");
        double expiredBefore = Metrics.value("herald_delivery_attempts_total{result=\"lease_expired\"}");
        // its only attempt is claimed by a replica that dies
        List<ClaimedDelivery> lost = claimer.claim(10, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries();
        assertTrue(lost.stream().anyMatch(d -> d.webhookId() == Long.parseLong(webhook)));

        Dispatcher survivor = dispatchers.newDispatcher();
        survivor.start();
        try {
            database.awaitCount("all_deliveries WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(15));
        } finally {
            survivor.drain(Duration.ofSeconds(5));
        }
        assertEquals(0, inFlight(webhook));
        assertEquals(1, Metrics.value("herald_deliveries_total{outcome=\"failed\"}") - failedBefore, "counted as failed");
        assertTrue(Metrics.value("herald_delivery_attempts_total{result=\"lease_expired\"}") - expiredBefore >= 1);
    }

    private int inFlight(String webhook) {
        return database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                .iterator().next().getInteger(0);
    }

    private DeliveryState status(long deliveryId) {
        return DeliveryState.of(database.query("SELECT status FROM all_deliveries WHERE id = " + deliveryId)
                .iterator().next().getInteger(0));
    }

    private void awaitStatus(long deliveryId, DeliveryState expected) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertEquals(expected, status(deliveryId), "delivery " + deliveryId));
    }
}
