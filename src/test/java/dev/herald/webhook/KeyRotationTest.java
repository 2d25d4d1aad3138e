package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LogCapture;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * reencryptSecrets moves values sealed before key ids and row binding (enc:v1) to the newest key, bound to their
 * webhook, and counts what it cannot open.
 */
@QuarkusTest
class KeyRotationTest {

    @Inject
    Database database;

    @Inject
    SecretCipher cipher;

    @Test
    void everyValueIsResealedWithTheNewestKeyAndCounted() {
        String key = GraphQL.newApplication("rotation");
        int provider = GraphQL.newProvider(key, "smtp");
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/r",
                  headers: [{name: "X-Api-Key", value: "k-1"}]}) { id secret } }""".formatted(provider));
        String id = created.getString("data.webhook.id");
        String secret = created.getString("data.webhook.secret");
        String damaged = GraphQL.newWebhook(key, provider, "https://example.com/damaged");
        // as a replica before key ids stored them: unbound, no key id
        String oldSecret = SecretCipherV1.seal(secret);
        database.query("UPDATE webhook SET secret = '" + oldSecret + "', headers = '"
                + SecretCipherV1.seal("[[\"X-Api-Key\",\"k-1\"]]") + "', proxy = '"
                + SecretCipherV1.seal("http://u:pw@proxy.example:3128") + "' WHERE id = " + id);
        database.query("UPDATE webhook SET secret = 'enc:v1:" + "A".repeat(40) + "' WHERE id = " + damaged);

        JsonPath done;
        try (LogCapture log = LogCapture.of(SecretReencryption.class)) {
            done = GraphQL.as(GraphQL.ADMIN_KEY, "mutation { reencryptSecrets { reencrypted unreadable } }");
            assertTrue(log.atLeast(java.util.logging.Level.WARNING).stream().map(LogCapture::message)
                    .anyMatch(line -> line.startsWith("Webhook " + damaged + ": its signing stays as it is")),
                    "the operator is told which value stays");
        }
        assertTrue(done.getInt("data.reencryptSecrets.reencrypted") >= 3, done.prettify());
        assertTrue(done.getInt("data.reencryptSecrets.unreadable") >= 1, done.prettify());
        assertEquals("enc:v1:" + "A".repeat(40), database.query("SELECT secret FROM webhook WHERE id = " + damaged)
                .iterator().next().getString(0), "what does not open is left as it was");
        var row = database.query("SELECT secret, headers, proxy FROM webhook WHERE id = " + id).iterator().next();
        assertTrue(row.getString("secret").startsWith("enc:v2:" + cipher.newestKeyId() + ":"));
        assertTrue(row.getString("headers").startsWith("enc:v2:"));
        assertTrue(row.getString("proxy").startsWith("enc:v2:" + cipher.newestKeyId() + ":"));
        assertEquals("http://u:***@proxy.example:3128", GraphQL.as(key, "{ webhooks { id access { proxy } } }")
                .getString("data.webhooks.find { it.id == '" + id + "' }.access.proxy"));
        assertEquals(secret, GraphQL.as(key, "{ webhookSecret(webhookId: \"" + id + "\") { secret } }")
                .getString("data.webhookSecret.secret"));
        JsonPath again;
        try (LogCapture quiet = LogCapture.of(SecretReencryption.class)) { // it says the damaged one stays, again
            again = GraphQL.as(GraphQL.ADMIN_KEY, "mutation { reencryptSecrets { reencrypted unreadable } }");
        }
        assertEquals(0, again.getInt("data.reencryptSecrets.reencrypted"), "nothing left to move");
    }

    @Test
    void onlyTheAdminRotates() {
        JsonPath refused = GraphQL.as(GraphQL.DEMO_KEY, "mutation { reencryptSecrets { reencrypted } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(refused));
    }
}
