package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.StrictDelivery;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * With production's settings, internal destinations are refused at registration when literal, and at every
 * attempt before any connection: a loopback canary that counts connections stays at zero.
 */
@Slow
@QuarkusTest
@TestProfile(StrictDelivery.class)
class StrictDestinationTest {

    @Inject
    Database database;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://example.com/hook                 | webhookUrl: must use https (herald.delivery.require-https)",
            "https://10.0.0.1/hook                   | webhookUrl: must not point at a private (RFC 1918) address 10.0.0.1",
            "https://012.0.0.1/hook                  | webhookUrl: must not point at a private (RFC 1918) address 10.0.0.1",
            "https://169.254.169.254/latest/meta-data | webhookUrl: must not point at a link-local (cloud metadata lives here) address 169.254.169.254",
            "https://[::ffff:169.254.169.254]/x      | webhookUrl: must not point at a link-local (cloud metadata lives here) address 169.254.169.254",
            "https://[fd12::1]/x                     | webhookUrl: must not point at a unique local (ULA) address fd12:0:0:0:0:0:0:1",
            "https://127.0.0.1:8443/x                | webhookUrl: must not point at a loopback address 127.0.0.1",
    })
    void literalInternalAddressesAndPlainHttpAreRefusedAtRegistration(String url, String message) {
        String key = GraphQL.newApplication("strict");
        int provider = GraphQL.newProvider(key, "smtp");
        String before = database.snapshot();
        JsonPath answer = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"}) { id } }""".formatted(provider, url));
        assertEquals(message, answer.getString("errors[0].message"));
        assertEquals(before, database.snapshot());
    }

    @Test
    void aNameThatResolvesToAnInternalAddressIsBlockedBeforeConnecting() throws Exception {
        String key = GraphQL.newApplication("strict-dns");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver canary = new Receiver()) {
            // registration cannot know where a name points; the attempt resolves and refuses it
            String webhook = GraphQL.newWebhook(key, provider, "https://localhost:" + canary.port() + "/hook");
            Events.post(key, Events.notification(1, provider));
            database.awaitCount("all_deliveries WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
            String error = database.query("SELECT a.error FROM delivery_attempt a JOIN all_deliveries d ON d.id = a.delivery_id"
                    + " WHERE d.webhook_id = " + webhook).iterator().next().getString(0);
            assertTrue(error.startsWith("blocked: loopback address 127.0.0.1") || error.startsWith("blocked: loopback address 0:0:0:0:0:0:0:1"),
                    error);
            assertEquals(1, database.count("delivery_attempt a JOIN all_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = "
                    + webhook), "a blocked attempt is not retried");
            assertEquals(0, canary.connections(), "no connection was even opened");
        }
    }
}
