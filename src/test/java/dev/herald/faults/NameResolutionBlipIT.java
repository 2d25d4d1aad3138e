package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * A webhook's host name does not resolve for a few seconds (a DNS server restarting): the attempts made meanwhile
 * are network errors, retried, and the delivery arrives once the name resolves again. The replica resolves names
 * from a hosts file of the test's ({@code -Djdk.net.hosts.file}), a resolver the test controls; no system file is
 * touched.
 */
class NameResolutionBlipIT extends FaultTier {

    @Test
    void aNameThatDoesNotResolveForAWhileIsRetriedAndDelivered() throws Exception {
        Path hosts = Files.createTempFile("herald-hosts", "");
        Files.writeString(hosts, "127.0.0.1 steady.herald.test\n");
        try (Receiver receiver = new Receiver();
                Herald herald = Herald.named("name-resolution-blip")
                        .jvmOption("-Djdk.net.hosts.file=" + hosts)
                        .jvmOption("-Dsun.net.inetaddr.negative.ttl=0")
                        .start(database)) {
            Herald.Tenant tenant = herald.newTenant("dns");
            long webhook = herald.newWebhook(tenant, "http://blip.herald.test:" + receiver.port() + "/dns");
            herald.postEvents(tenant.key(), Events.notification(1, tenant.provider()));

            JsonNode first = awaitAttempts(herald, tenant, webhook, 1);
            // waiting for its retry, or (on a slow machine) already in its second attempt: anything but FAILED
            assertTrue(List.of("PENDING", "IN_FLIGHT").contains(first.at("/status").asText()),
                    "a name that does not resolve is retried: " + first);
            assertTrue(first.at("/attempts/0/error").asText().startsWith("network: "), first.toString());

            Files.writeString(hosts, "127.0.0.1 steady.herald.test\n127.0.0.1 blip.herald.test\n");
            receiver.await("/dns", r -> r.size() == 1, Duration.ofSeconds(15));
        } finally {
            Files.deleteIfExists(hosts);
        }
    }

    private static JsonNode awaitAttempts(Herald herald, Herald.Tenant tenant, long webhook, int attempts) {
        return await(attempts + " attempts recorded").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> herald.data(tenant.key(), """
                        { deliveries(webhookId: "%d") { items { status attempts { error } } } }""".formatted(webhook))
                        .at("/deliveries/items/0"), delivery -> delivery.at("/attempts").size() >= attempts);
    }
}
