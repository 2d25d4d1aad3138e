package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.testing.Receiver;

/**
 * Order per notification across two replicas of the packaged jar: 100 notifications each go through pending, sent
 * and delivered (OsmoX deliveryStatus 1, 2, 5), the three rounds posted to both replicas in turn, to a receiver that
 * fails a quarter of its requests at random. At the BY_NOTIFICATION webhook each status arrives only after every
 * request of the status before it (the earlier delivery had ended); every status arrives. An unordered webhook on the
 * same provider, failing alike, is overtaken meanwhile: the traffic shows reordering where order is not kept.
 */
class OrderingIT extends FaultTier {

    private static final int NOTIFICATIONS = 100;
    private static final int[] STATUSES = { 1, 2, 5 };
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachNotificationsStatusesArriveInOrderAcrossReplicasThroughRandomFailures() throws Exception {
        try (Receiver receiver = new Receiver();
                Herald one = replica("ordered-1");
                Herald two = replica("ordered-2")) {
            Herald.awaitReady(one, two);
            SplittableRandom random = new SplittableRandom(7);
            java.util.function.Function<byte[], Receiver.Behaviour> failAQuarter = body -> {
                synchronized (random) {
                    return random.nextInt(4) == 0 ? new Receiver.Behaviour(503, Duration.ZERO) : null;
                }
            };
            receiver.answerBy("/ordered", failAQuarter);
            receiver.answerBy("/unordered", failAQuarter);
            Herald.Tenant tenant = one.newTenant("ordering");
            long ordered = one.data(tenant.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", ordering: BY_NOTIFICATION})
                      { id } }""".formatted(tenant.provider(), receiver.url("/ordered"))).get("webhook").get("id")
                    .asLong();
            long unordered = one.newWebhook(tenant, receiver.url("/unordered"));

            Herald[] replicas = { one, two };
            for (int round = 0; round < STATUSES.length; round++) {
                for (int batch = 0; batch < 10; batch++) {
                    StringBuilder body = new StringBuilder("[");
                    for (int n = batch * 10 + 1; n <= batch * 10 + 10; n++) {
                        body.append(n == batch * 10 + 1 ? "" : ",").append(
                                "{\"id\":%d,\"providerId\":%d,\"channelType\":1,\"deliveryStatus\":%d}"
                                        .formatted(n, tenant.provider(), STATUSES[round]));
                    }
                    replicas[batch % 2].postEvents(tenant.key(), body.append(']').toString());
                }
            }

            int total = NOTIFICATIONS * STATUSES.length;
            database.awaitCount("delivery_history WHERE webhook_id = " + ordered, total, Duration.ofSeconds(90));
            assertEquals(total, database.queryLong("SELECT count(*) FROM delivery_history WHERE status = 2"
                    + " AND webhook_id = " + ordered), "every status delivered (ten attempts each)");
            List<Receiver.Received> got = receiver.at("/ordered");
            List<String> overtaken = overtaken(got);
            assertTrue(overtaken.isEmpty(), overtaken.toString());
            // the same traffic overtakes where order is not kept: the test could see it if it happened
            database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + unordered, total,
                    Duration.ofSeconds(60));
            int unorderedOvertaken = overtaken(receiver.at("/unordered")).size();
            assertTrue(unorderedOvertaken > 0, "the unordered webhook was never overtaken: this traffic proves"
                    + " nothing");
            long failed = got.size() - total;
            assertTrue(failed > 30, "the receiver failed " + failed + " requests: too few to test anything");
            System.out.printf("FAULT ordering: %d notifications x %d statuses in order across 2 replicas, %d requests"
                    + " (%d failed at random); the unordered webhook saw %d overtaken%n", NOTIFICATIONS,
                    STATUSES.length, got.size(), failed, unorderedOvertaken);
        }
    }

    /** Statuses whose first request arrived before the last request of the status before them. */
    private static List<String> overtaken(List<Receiver.Received> requests) throws java.io.IOException {
        Map<Integer, Map<Integer, Instant[]>> seen = new HashMap<>();
        for (Receiver.Received request : requests) {
            JsonNode event = JSON.readTree(request.body());
            Instant[] span = seen.computeIfAbsent(event.get("id").asInt(), n -> new HashMap<>())
                    .computeIfAbsent(event.get("deliveryStatus").asInt(), s -> new Instant[] { request.at(), null });
            span[1] = request.at();
        }
        List<String> overtaken = new ArrayList<>();
        for (int n = 1; n <= NOTIFICATIONS; n++) {
            Map<Integer, Instant[]> statuses = seen.get(n);
            assertEquals(STATUSES.length, statuses.size(), "notification " + n + ": " + statuses.keySet());
            for (int s = 1; s < STATUSES.length; s++) {
                if (statuses.get(STATUSES[s])[0].isBefore(statuses.get(STATUSES[s - 1])[1])) {
                    overtaken.add(n + ": " + STATUSES[s] + " before " + STATUSES[s - 1] + " ended");
                }
            }
        }
        return overtaken;
    }

    private Herald replica(String name) throws Exception {
        return Herald.named(name)
                .with("HERALD_DELIVERY_RETRY_SCHEDULE", "100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms")
                .with("HERALD_DELIVERY_MAX_PER_MINUTE_PER_ENDPOINT", "100000")
                .startBeside(database);
    }
}
