package dev.herald.webhook;

import static dev.herald.testing.GraphQL.DEMO_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class WebhookRegistrationTest {

    @Inject
    Database database;

    @Test
    void registrationReturnsAStandardWebhooksSecretAndTheProvidersWebhooksListIt() {
        JsonPath created = GraphQL.as(DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://receiver.example/a"})
                  { id secret status providerId } }""");
        assertNull(created.get("errors"));
        String secret = created.getString("data.webhook.secret");
        assertTrue(secret.startsWith("whsec_"), secret);
        assertEquals(24, Base64.getDecoder().decode(secret.substring("whsec_".length())).length);

        JsonPath listed = GraphQL.as(DEMO_KEY, "{ webhooks(providerId: 10) { id secret } }");
        assertTrue(listed.getList("data.webhooks.id").contains(created.getString("data.webhook.id")));
        assertTrue(listed.getList("data.webhooks.secret").stream().allMatch(java.util.Objects::isNull),
                "lists never carry secrets");
        JsonPath asked = GraphQL.as(DEMO_KEY, "{ webhookSecret(webhookId: \"%s\") { secret previousSecretExpiresAt } }"
                .formatted(created.getString("data.webhook.id")));
        assertEquals(secret, asked.getString("data.webhookSecret.secret"), asked.prettify());
        assertNull(asked.get("data.webhookSecret.previousSecretExpiresAt"));
    }

    /** One webhook whose secret cannot be decrypted (a wrong key, a damaged row) does not hide the others. */
    @Test
    void aWebhookWhoseSecretCannotBeDecryptedStillListsWithTheOthers() {
        String key = GraphQL.newApplication("unreadable-secret");
        int provider = GraphQL.newProvider(key, "smtp");
        String healthy = GraphQL.newWebhook(key, provider, "https://r.example/healthy");
        String damaged = GraphQL.newWebhook(key, provider, "https://r.example/damaged");
        database.query("UPDATE webhook SET secret = 'enc:v1:" + "A".repeat(40) + "' WHERE id = " + damaged);

        JsonPath listed = GraphQL.as(key, "{ webhooks { id } }");
        assertNull(listed.get("errors"), listed.prettify());
        assertEquals(List.of(healthy, damaged), listed.getList("data.webhooks.id"));
        JsonPath asked = GraphQL.as(key, "{ webhookSecret(webhookId: \"%s\") { secret } }".formatted(damaged));
        assertEquals("UNREADABLE_SECRET", GraphQL.errorClassification(asked), asked.prettify());
    }

    @Test
    void eachWebhookGetsItsOwnSecret() {
        String a = GraphQL.as(DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://r.example/1"}) { secret } }""")
                .getString("data.webhook.secret");
        String b = GraphQL.as(DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://r.example/2"}) { secret } }""")
                .getString("data.webhook.secret");
        assertTrue(!a.equals(b));
    }
}
