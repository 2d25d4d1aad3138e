package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestHostResolver;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Herald resolves a name once, checks every address, and connects to the checked one: a second lookup (DNS
 * rebinding) never happens. Uses test DNS names ({@link TestHostResolver}) that point at loopback only.
 */
@QuarkusTest
class CheckedAddressTest {

    @Inject
    Database database;

    @Test
    void theConnectionGoesToTheCheckedAddressWithTheNameKeptForTheHostHeader() throws Exception {
        String key = GraphQL.newApplication("rebinding");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver other = new Receiver("127.0.0.2")) {
            // the system resolver does not know this name; only the checked answer can lead here
            TestHostResolver.answer("receiver.herald.test", "127.0.0.2");
            GraphQL.newWebhook(key, provider, "http://receiver.herald.test:" + other.port() + "/hook");
            Events.post(key, Events.notification(1, provider));
            var got = other.await("/hook", r -> r.size() == 1, Duration.ofSeconds(10)).get(0);
            assertEquals("receiver.herald.test:" + other.port(), got.headers().get("host"));
        }
    }

    @Test
    void oneInternalAddressAmongSeveralBlocksTheName() throws Exception {
        String key = GraphQL.newApplication("mixed-dns");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver canary = new Receiver("127.0.0.3")) {
            // loopback is allowed in tests, 10.0.0.1 is not: one bad answer is enough to refuse
            TestHostResolver.answer("mixed.herald.test", "127.0.0.3", "10.0.0.1");
            String webhook = GraphQL.newWebhook(key, provider, "http://mixed.herald.test:" + canary.port() + "/hook");
            Events.post(key, Events.notification(1, provider));
            database.awaitCount("all_deliveries WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
            assertEquals("blocked: private (RFC 1918) address 10.0.0.1", database.query("SELECT a.error FROM delivery_attempt a"
                    + " JOIN all_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = " + webhook).iterator().next().getString(0));
            assertEquals(0, canary.connections());
        }
    }
}
