package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
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
            Thread.sleep(3_000); // let the second wave reach its deadline, then check every request seen so far
            long longest = 0;
            for (Receiver.Received request : seen) {
                assertTrue(request.connectionClosed().isDone(), "a request from " + request.at() + " is still open");
                long openMs = Duration.between(request.at(), request.connectionClosed().get()).toMillis();
                assertTrue(openMs <= 2_500, "a request stayed open " + openMs + " ms past a 2 s deadline");
                longest = Math.max(longest, openMs);
            }
            System.out.printf("FAULT silent receiver: longest open request %d ms (deadline 2,000), at most %d open%n",
                    longest, receiver.peakInFlight("/silent"));
            assertTrue(receiver.peakInFlight("/silent") <= 10, "open at once: " + receiver.peakInFlight("/silent"));

            receiver.answer("/silent", 200, Duration.ZERO);
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (delivered(herald, tenant, webhook) < 30) {
                assertTrue(System.nanoTime() < deadline, "delivered only " + delivered(herald, tenant, webhook)
                        + " of 30 once the receiver answered, at " + Instant.now());
                Thread.sleep(200);
            }
            assertEquals(30, delivered(herald, tenant, webhook));
        }
    }

    private static int delivered(Herald herald, Herald.Tenant tenant, long webhook) throws Exception {
        return herald.data(tenant.key(), "{ deliveries(webhookId: \"%d\", status: DELIVERED) { totalCount } }"
                .formatted(webhook)).at("/deliveries/totalCount").asInt();
    }
}
