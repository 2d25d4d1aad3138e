package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * A receiver that accepts the request and never answers: each attempt's connection is closed at the deadline, the
 * receiver never has more than the in-flight cap of requests open, and once it answers again the same replica
 * delivers everything (no permit or slot was left behind).
 */
class SilentReceiverIT extends FaultTier {

    @Test
    void everyRequestIsCutAtTheDeadlineAndTheCapHoldsAtTheReceiver() throws Exception {
        try (Receiver receiver = new Receiver();
                Herald herald = Herald.named("silent-receiver")
                        .with("HERALD_DELIVERY_TIMEOUT", "2s")
                        .with("HERALD_DISPATCH_LEASE", "5s")
                        .start(database)) {
            receiver.answer("/silent", Receiver.Behaviour.silent());
            Herald.Tenant tenant = herald.newTenant("silent");
            long webhook = herald.newWebhook(tenant, receiver.url("/silent"));
            herald.postEvents(tenant.key(), Events.notifications(30, tenant.provider()));

            // two waves of ten (the second after the 4 s retry wait), each cut at the 2 s deadline
            List<Receiver.Received> seen = receiver.await("/silent", r -> r.size() >= 20, Duration.ofSeconds(20));
            // the last of them reaches its deadline within two seconds: every request seen so far is closed in three
            await("every request seen closed").atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> seen.stream().allMatch(request -> request.connectionClosed().isDone()));
            long longest = 0;
            for (Receiver.Received request : seen) {
                long openMs = Duration.between(request.at(), request.connectionClosed().get()).toMillis();
                assertTrue(openMs <= 2_500, "a request stayed open " + openMs + " ms past a 2 s deadline");
                longest = Math.max(longest, openMs);
            }
            System.out.printf("FAULT silent receiver: longest open request %d ms (deadline 2,000), at most %d open%n",
                    longest, receiver.peakInFlight("/silent"));
            assertTrue(receiver.peakInFlight("/silent") <= 10, "open at once: " + receiver.peakInFlight("/silent"));

            receiver.answer("/silent", 200, Duration.ZERO);
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertEquals(30, delivered(herald, tenant, webhook), "delivered once the receiver answered"));
            // the requests cut off left nothing behind: no slot is still taken, at the endpoint or at the receiver
            database.awaitCount("endpoint_state WHERE in_flight <> 0 AND webhook_id = " + webhook, 0,
                    Duration.ofSeconds(5));
            database.awaitCount("receiver WHERE in_flight <> 0 AND id = (SELECT receiver_id FROM webhook WHERE id = "
                    + webhook + ")", 0, Duration.ofSeconds(5));
            assertEquals(0, receiver.inFlight("/silent"), "requests still open at the receiver");
        }
    }

    private static int delivered(Herald herald, Herald.Tenant tenant, long webhook) throws Exception {
        return herald.data(tenant.key(), "{ deliveries(webhookId: \"%d\", status: DELIVERED) { totalCount } }"
                .formatted(webhook)).at("/deliveries/totalCount").asInt();
    }
}
