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

    @Test
    void aFanOutClaimsFromTheEndpointsItWokeUnderTheSameCaps() {
        String key = GraphQL.newApplication("fan-out-claims");
        int provider = GraphQL.newProvider(key, "smtp");
        String a = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/a");
        String b = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/b");
        Events.post(key, Events.notifications(15, provider));

        FanOut.Round round = fanOut.fanOutBatch(new FanOut.ClaimRoom(12, SlotShares.none()))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(30, round.deliveries());
        assertEquals(12, round.claimed().size(), "never more than the free slots it was given");
        assertEquals(12, round.claimed().stream().filter(d -> isOneOf(d, a, b)).count());
        assertEquals(12, inFlight(a) + inFlight(b), "the endpoints are charged as by a claim round");
        assertEquals(12, database.count("delivery WHERE status = 1 AND webhook_id IN (" + a + ", " + b + ")"));
        round.claimed().forEach(d -> assertEquals(1, d.attemptNumber(), "claimed for its first attempt"));

        FanOut.Round next = fanOut.fanOutBatch(new FanOut.ClaimRoom(100, SlotShares.none()))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(0, next.deliveries(), "nothing left to fan out");
        assertEquals(List.of(), next.claimed(), "a fan-out claims only from the endpoints it woke");
        long rest = claimer.claim(100, SlotShares.none()).await().atMost(Duration.ofSeconds(10)).deliveries().stream()
                .filter(d -> isOneOf(d, a, b)).count();
        assertEquals(8, rest, "a claim round takes the rest, up to 10 in flight per endpoint");
        assertEquals(10, inFlight(a));
        assertEquals(10, inFlight(b));
    }

    @Test
    void aFanOutClaimsNoMoreThanAnApplicationsShare() {
        String key = GraphQL.newApplication("fan-out-shares");
        int provider = GraphQL.newProvider(key, "smtp");
        String a = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/a");
        Events.post(key, Events.notifications(5, provider));
        int application = database.query("SELECT application_id FROM provider WHERE id = " + provider)
                .iterator().next().getInteger(0);
        SlotShares.Room shares = new SlotShares.Room(new Integer[] { application }, new Integer[] { 2 }, 100,
                new Integer[0]);

        FanOut.Round round = fanOut.fanOutBatch(new FanOut.ClaimRoom(100, shares))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(5, round.deliveries());
        assertEquals(2, round.claimed().size(), "the application's share of the slots");
        assertEquals(2, inFlight(a));
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
