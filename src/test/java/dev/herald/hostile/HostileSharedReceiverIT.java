package dev.herald.hostile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.faults.Herald;
import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * Sixty webhooks of two tenants naming one receiving endpoint (spelled differently: the query and the case of the
 * scheme do not make another endpoint): the caps hold at the receiver, not per webhook, and both tenants are served.
 * The rate window is 6 s here (herald.dispatch.rate-window) so that the test does not wait minutes; the cap is the
 * same 100 starts in any window.
 */
class HostileSharedReceiverIT extends HostileTier {

    private static final long WINDOW_MS = 6_000;

    @Test
    void oneReceivingEndpointOneCapAcrossWebhooksAndTenants() throws Exception {
        try (Receiver receiver = new Receiver(); Herald herald = Herald.named("shared-receiver")
                .with("HERALD_DISPATCH_RATE_WINDOW", "6s").start(database)) {
            receiver.answer("/shared", 200, Duration.ofMillis(300));
            Herald.Tenant alice = herald.newTenant("alice");
            Herald.Tenant bob = herald.newTenant("bob");
            for (int i = 0; i < 30; i++) {
                herald.newWebhook(alice, receiver.url("/shared"));
                herald.newWebhook(bob, receiver.url("/shared?tenant=bob").replace("http://", "HTTP://"));
            }
            herald.postEvents(alice.key(), Events.notifications(4, alice.provider()));
            herald.postEvents(bob.key(), Events.notifications(4, bob.provider()));

            // 240 deliveries at one endpoint: 100 in the first window, 100 in the next, both tenants among them
            List<Receiver.Received> got = receiver.await("/shared", r -> r.size() >= 200, Duration.ofSeconds(40));
            int fromAlice = 0;
            int fromBob = 0;
            for (Receiver.Received request : got) {
                if (request.bodyText().contains("\"providerId\": " + alice.provider() + ",")) {
                    fromAlice++;
                } else {
                    fromBob++;
                }
            }
            int mostInWindow = mostStartsInAnyWindow(got);
            System.out.printf("HOSTILE one receiver, 60 webhooks of two tenants: at most %d in flight, at most %d in"
                    + " any %d s, %d of alice's and %d of bob's%n", receiver.peakInFlight("/shared"), mostInWindow,
                    WINDOW_MS / 1000, fromAlice, fromBob);
            assertTrue(receiver.peakInFlight("/shared") <= 10, "in flight at once: " + receiver.peakInFlight("/shared"));
            assertTrue(mostInWindow <= 100, mostInWindow + " requests in one window");
            assertTrue(fromAlice >= 50 && fromBob >= 50, "both served: " + fromAlice + " and " + fromBob);
        }
    }

    /** The most requests that arrived within any span of the window. */
    private static int mostStartsInAnyWindow(List<Receiver.Received> requests) {
        List<Instant> arrivals = new ArrayList<>(requests.stream().map(Receiver.Received::at).sorted().toList());
        int most = 0;
        int first = 0;
        for (int last = 0; last < arrivals.size(); last++) {
            while (Duration.between(arrivals.get(first), arrivals.get(last)).toMillis() >= WINDOW_MS) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }
}
