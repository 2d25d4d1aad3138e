package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * One webhook whose stored signing secret cannot be decrypted (a wrong or lost encryption key, a damaged row): its
 * deliveries end FAILED with an error that says what to check, counted and logged once, and every other webhook on
 * the same replica keeps receiving.
 */
class PoisonedSecretIT extends FaultTier {

    @Test
    void anUndecryptableSecretFailsItsOwnDeliveriesAndNothingElse() throws Exception {
        try (Receiver receiver = new Receiver(); Herald herald = Herald.named("poisoned-secret").start(database)) {
            Herald.Tenant tenant = herald.newTenant("poison");
            herald.newWebhook(tenant, receiver.url("/healthy"));
            long poisoned = herald.newWebhook(tenant, receiver.url("/poisoned"));
            // what a database restored with another key's ciphertexts looks like
            database.execute("UPDATE webhook SET secret = 'enc:v1:" + "A".repeat(40) + "' WHERE id = " + poisoned);

            herald.postEvents(tenant.key(), Events.notifications(6, tenant.provider()));

            receiver.await("/healthy", r -> r.size() == 6, Duration.ofSeconds(15));
            JsonNode failed = awaitFailed(herald, tenant, poisoned, 6);
            String error = failed.at("/deliveries/items/0/attempts/0/error").asText();
            assertTrue(error.contains("herald.signing.encryption-keys"), error);
            assertEquals(0, receiver.at("/poisoned").size(), "nothing unsigned was sent");
            assertEquals(1, failed.at("/deliveries/items/0/attemptCount").asInt(), "final at once: retrying cannot help");

            assertEquals(1, herald.logLines("webhook " + poisoned).stream().filter(l -> l.contains("ERROR")).count(),
                    "one ERROR line for the webhook, not one per attempt:\n" + herald.log());
            assertTrue(herald.get("/q/metrics").lines().anyMatch(
                    l -> l.startsWith("herald_delivery_attempts_total{result=\"unsendable\"} 6")), "counted");
            assertEquals(200, herald.status("/q/health/ready"));

            // and the replica goes on: a later event reaches the healthy webhook too
            herald.postEvents(tenant.key(), Events.notification(7, tenant.provider()));
            receiver.await("/healthy", r -> r.size() == 7, Duration.ofSeconds(10));
        }
    }

    private static JsonNode awaitFailed(Herald herald, Herald.Tenant tenant, long webhook, int expected) {
        return await(expected + " FAILED deliveries of webhook " + webhook).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> herald.data(tenant.key(), """
                        { deliveries(webhookId: "%d", status: FAILED)
                          { totalCount items { attemptCount attempts { error } } } }""".formatted(webhook)),
                        page -> page.at("/deliveries/totalCount").asInt() == expected);
    }
}
