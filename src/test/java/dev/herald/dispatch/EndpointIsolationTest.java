package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Saturated, slow endpoints do not hold back another endpoint's deliveries, also when they share its origin
 * (host and port) and together have more attempts in flight than one endpoint's cap.
 */
@QuarkusTest
class EndpointIsolationTest {

    @Test
    void aHealthyEndpointIsServedWhileASlowOneIsSaturated() throws Exception {
        String key = GraphQL.newApplication("isolation");
        int slowProvider = GraphQL.newProvider(key, "slow");
        int fastProvider = GraphQL.newProvider(key, "fast");
        try (Receiver receiver = new Receiver()) {
            for (String slow : new String[] { "/slow-a", "/slow-b", "/slow-c" }) {
                receiver.answer(slow, 200, Duration.ofSeconds(2));
                GraphQL.newWebhook(key, slowProvider, receiver.url(slow));
            }
            GraphQL.newWebhook(key, fastProvider, receiver.url("/fast"));
            Events.post(key, Events.notifications(30, slowProvider));
            for (String slow : new String[] { "/slow-a", "/slow-b", "/slow-c" }) {
                receiver.await(slow, r -> r.size() >= 10, Duration.ofSeconds(10)); // saturated: 10 in flight each
            }

            Instant sent = Instant.now();
            Events.post(key, Events.notifications(20, fastProvider));
            var fast = receiver.await("/fast", r -> r.size() == 20, Duration.ofSeconds(10));
            Duration took = Duration.between(sent, fast.get(19).at());
            // the slow endpoint needs 2 s per round of 10; the fast one must not wait for a round
            assertTrue(took.toMillis() < 1_500, "fast endpoint took " + took.toMillis() + " ms");
            for (String slow : new String[] { "/slow-a", "/slow-b", "/slow-c" }) {
                assertTrue(receiver.peakInFlight(slow) <= 10);
            }
        }
    }
}
