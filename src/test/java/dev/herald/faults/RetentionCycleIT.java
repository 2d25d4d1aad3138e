package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * Whole retention cycles on the packaged jar, with a 10-second period and 10-second partitions, on a new database of
 * its own (whose partitions of that interval begin at once): finished deliveries and their attempts go by whole partitions while producers, claims and the attempt log
 * carry on; an event is kept while a delivery of it still waits (here: held for a webhook that answered 410) and
 * goes once it has been delivered; a FAILED delivery moved to the history is replayed with its webhook-id.
 */
class RetentionCycleIT extends FaultTier {

    private static final String DATABASE = "retention_cycle";

    @Test
    void historyGoesByWholePartitionsAndNothingStillNeededGoesWithIt() throws Exception {
        database.createDatabase(DATABASE);
        try (Receiver receiver = new Receiver();
                Herald herald = Herald.named("retention-cycle").database(DATABASE)
                        .with("HERALD_RETENTION_PERIOD", "10s")
                        .with("HERALD_RETENTION_PARTITION_INTERVAL", "10s")
                        .with("HERALD_RETENTION_PARTITIONS_AHEAD", "2")
                        .with("HERALD_DELIVERY_RETRY_SCHEDULE", "1s")
                        .start(database)) {
            receiver.answer("/down", 503, Duration.ZERO);
            receiver.answer("/gone", 410, Duration.ZERO);
            Herald.Tenant tenant = herald.newTenant("retention");
            long ok = herald.newWebhook(tenant, receiver.url("/ok"));
            long down = herald.newWebhook(tenant, receiver.url("/down"));
            long gone = herald.newWebhook(tenant, receiver.url("/gone"));
            herald.postEvents(tenant.key(), Events.notifications(5, tenant.provider()));
            receiver.await("/ok", r -> r.size() == 5, Duration.ofSeconds(15));
            JsonNode failed = awaitDeliveries(herald, tenant, down, "FAILED", 5);
            awaitDeliveries(herald, tenant, gone, "PENDING", 5); // held: the webhook answered 410
            // the partitions that hold these first deliveries' log (their attempts and outcomes) and their events: on
            // a new database the partitions of the configured interval (10 s) begin at once
            List<String> logPartitions = holding("delivery_log", "webhook_id IN (" + ok + ", " + down + ")");
            List<String> eventPartitions = holding("event", "provider_id = " + tenant.provider());

            // replay after the move: a FAILED delivery from the history, with its webhook-id, within retention
            receiver.answer("/down", 200, Duration.ZERO);
            String replayed = failed.at("/deliveries/items/0/id").asText();
            herald.data(tenant.key(), "mutation { replayDelivery(deliveryId: \"%s\") { id } }".formatted(replayed));
            // five deliveries failed twice each (a 1 s schedule: two attempts); the replay is the eleventh request
            List<Receiver.Received> atDown = receiver.await("/down", r -> r.size() == 11, Duration.ofSeconds(10));
            assertEquals("msg_" + replayed, atDown.get(10).headers().get("webhook-id"));
            awaitDeliveries(herald, tenant, down, "DELIVERED", 1);

            // a producer goes on all along
            Flow producer = Flow.to(herald, receiver, "producer", 1, Duration.ZERO).produce(120, 1, Duration.ofSeconds(1));
            try {
                awaitGone(logPartitions, "delivery_log", Duration.ofMinutes(2));
                assertTrue(exist(eventPartitions, "event"), "an event a held delivery still needs was dropped");
                assertEquals(5, awaitDeliveries(herald, tenant, gone, "PENDING", 5).at("/deliveries/totalCount").asInt());

                // switched on, the held deliveries go, and their events may go after them
                receiver.answer("/gone", 200, Duration.ZERO);
                herald.data(tenant.key(), "mutation { updateWebhook(updateWebhookInput: {id: \"%d\", status: 1}) { id } }"
                        .formatted(gone));
                receiver.await("/gone", r -> r.size() >= 6, Duration.ofSeconds(15));
                awaitGone(eventPartitions, "event", Duration.ofSeconds(60));

                // the attempt log still answers, the first partition gone from it
                assertEquals(0, herald.data(tenant.key(), "{ deliveries(webhookId: \"%d\") { totalCount } }".formatted(ok))
                        .at("/deliveries/totalCount").asInt());
            } finally {
                producer.close();
            }
            producer.awaitEverythingAccepted(Duration.ofSeconds(30));
            assertTrue(producer.accepted().size() >= 10, "the producer was accepted all along: " + producer.accepted().size());
            assertTrue(herald.logLines("Retention dropped partition").size() >= 3, herald.log());

            // what an operator's alerts read: drops counted, and partitions made for the two intervals ahead (20 s,
            // up to 30 s; the gauge is set at each round, every 5 s)
            String metrics = herald.get("/q/metrics");
            assertTrue(metric(metrics, "herald_retention_partitions_dropped_total") >= 3, metrics);
            double ahead = metric(metrics, "herald_retention_partitions_ahead_seconds");
            assertTrue(ahead >= 15 && ahead <= 30, "partitions ahead for " + ahead + " s");
        }
    }

    private static double metric(String scrape, String name) {
        return scrape.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " is not in " + scrape));
    }

    /** The partitions of {@code parent} that hold its rows matching {@code where}. */
    private List<String> holding(String parent, String where) {
        List<String> names = database.queryStrings(DATABASE, "SELECT DISTINCT tableoid::regclass::text FROM " + parent
                + " WHERE " + where);
        assertTrue(!names.isEmpty(), "no row of " + parent + " where " + where);
        return names;
    }

    private boolean exist(List<String> names, String parent) {
        return names.stream().filter(n -> n.startsWith(parent + "_"))
                .anyMatch(n -> database.queryLong(DATABASE, "SELECT count(*) FROM pg_class WHERE relname = '" + n + "'") > 0);
    }

    private void awaitGone(List<String> names, String parent, Duration timeout) {
        await(parent + " partitions " + names + " dropped").atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> !exist(names, parent));
    }

    private static JsonNode awaitDeliveries(Herald herald, Herald.Tenant tenant, long webhook, String status,
            int count) {
        return await(count + " " + status + " deliveries of webhook " + webhook).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> herald.data(tenant.key(), """
                        { deliveries(webhookId: "%d", status: %s) { totalCount items { id } } }"""
                        .formatted(webhook, status)),
                        page -> page.at("/deliveries/totalCount").asInt() == count);
    }
}
