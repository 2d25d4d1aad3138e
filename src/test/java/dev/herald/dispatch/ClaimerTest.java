package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The claim statement on its own, with no dispatcher running. */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class ClaimerTest implements LeavesNoDeliveries {

    @Inject
    Claimer claimer;

    @Inject
    FanOut fanOut;

    @Inject
    Database database;

    @Test
    void aClaimNeverTakesMoreThanAskedNorMoreThanTheInFlightCap() {
        String key = GraphQL.newApplication("claims");
        int provider = GraphQL.newProvider(key, "smtp");
        String a = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/a");
        String b = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/b");
        Events.post(key, Events.notifications(15, provider));
        fanOut.fanOutBatch().await().atMost(Duration.ofSeconds(10));

        List<ClaimedDelivery> first = claimer.claim(3, SlotShares.none()).await().atMost(Duration.ofSeconds(10))
                .deliveries();
        assertEquals(3, first.size(), "never more than asked");
        long ours = first.stream().filter(d -> isOneOf(d, a, b)).count();
        for (int i = 0; i < 5; i++) {
            // counted at these two endpoints: what earlier tests of this profile left waiting may be claimed too
            ours += claimer.claim(100, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries().stream()
                    .filter(d -> isOneOf(d, a, b)).count();
        }
        assertEquals(20, ours, "10 per endpoint in all");
        assertEquals(10, inFlight(a));
        assertEquals(10, inFlight(b));
        assertEquals(10, database.count("delivery WHERE status = 0 AND webhook_id IN (" + a + ", " + b + ")"),
                "the rest wait for a completion");
    }

    private static boolean isOneOf(ClaimedDelivery delivery, String a, String b) {
        String webhook = Long.toString(delivery.webhookId());
        return webhook.equals(a) || webhook.equals(b);
    }

    private int inFlight(String webhook) {
        return database.query("SELECT in_flight FROM endpoint_state WHERE webhook_id = " + webhook)
                .iterator().next().getInteger(0);
    }
}
