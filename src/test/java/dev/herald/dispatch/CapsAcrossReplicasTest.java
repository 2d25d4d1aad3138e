package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Two replicas on one database against one slow endpoint: never more than 10 in flight, never more than 100
 * started in any window, and nothing sent twice. The two dispatchers share no guard in this JVM, only the database:
 * with the cap in the claim raised to 20, this test sees 20 in flight and fails. The window is 15 s here
 * ({@code ManualDispatch}), so that the test does not wait a real minute; the rule is the same.
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class CapsAcrossReplicasTest implements LeavesNoDeliveries {

    private static final int WINDOW_SECONDS = ManualDispatch.RATE_WINDOW_SECONDS;

    @Inject
    Dispatchers dispatchers;

    @Inject
    Database database;

    @Test
    void twoReplicasHoldTheInFlightAndPerMinuteCapsTogether() throws Exception {
        String key = GraphQL.newApplication("caps");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/slow", 200, Duration.ofMillis(300));
            String webhook = GraphQL.newWebhook(key, provider, receiver.url("/slow"));
            Events.post(key, Events.notifications(130, provider));

            Dispatcher one = dispatchers.newDispatcher();
            Dispatcher two = dispatchers.newDispatcher();
            one.start();
            two.start();
            try {
                var received = receiver.await("/slow", r -> r.size() >= 130, Duration.ofSeconds(60));
                assertEquals(130, received.size());
                assertEquals(130, new HashSet<>(received.stream().map(r -> r.headers().get("webhook-id")).toList()).size(),
                        "no delivery sent twice");
                int peak = receiver.peakInFlight("/slow");
                assertTrue(peak <= 10 && peak >= 5, "peak in flight " + peak);
                assertTrue(maxInAnyWindow(received.stream().map(Receiver.Received::at).sorted().toList()) <= 100);
                // the first 100 went at once, the rest only once the window let them
                Instant first = received.get(0).at();
                assertTrue(Duration.between(first, received.get(99).at()).toSeconds() < WINDOW_SECONDS - 2);
                assertTrue(Duration.between(first, received.get(100).at()).toMillis() >= WINDOW_SECONDS * 1_000L);
            } finally {
                one.drain(Duration.ofSeconds(10));
                two.drain(Duration.ofSeconds(10));
            }
            assertEquals(0, database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                    .iterator().next().getInteger(0));
        }
    }

    /** The most requests in any half-open interval of the window, for sorted times. */
    static int maxInAnyWindow(List<Instant> sorted) {
        int best = 0;
        int start = 0;
        for (int end = 0; end < sorted.size(); end++) {
            while (!sorted.get(start).plusSeconds(WINDOW_SECONDS).isAfter(sorted.get(end))) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }
}
