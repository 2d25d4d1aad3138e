package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Real deliveries, verified the way receivers verify them: with the official Standard Webhooks library. */
@QuarkusTest
class SignedDeliveryTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void deliveriesVerifyWithTheOfficialLibraryIncludingNonAsciiBodies() throws Exception {
        String secret = register("/signed", null).getString("data.webhook.secret");
        String body = "{\"providerId\": " + provider + ", \"text\": \"Grüße, 你好 😀 — \\\"quoted\\\"\"}";
        Events.post(key, body);
        var got = receiver.await("/signed", r -> r.size() == 1, Duration.ofSeconds(10)).get(0);
        assertEquals(body, got.bodyText());
        new Webhook(secret).verify(got.bodyText(), got.headerLists());
        assertThrows(WebhookVerificationException.class,
                () -> new Webhook(secret).verify(got.bodyText().replace("Grüße", "Grusse"), got.headerLists()));
    }

    @Test
    void duringARotationBothSecretsVerifyAndAfterTheGraceOnlyTheNewOne() throws Exception {
        JsonPath created = register("/rotating", null);
        String id = created.getString("data.webhook.id");
        String oldSecret = created.getString("data.webhook.secret");
        JsonPath rotated = GraphQL.as(key, "mutation { rotateWebhookSecret(webhookId: \"%s\") { secret previousSecretExpiresAt } }"
                .formatted(id));
        String newSecret = rotated.getString("data.rotateWebhookSecret.secret");
        assertTrue(newSecret.startsWith("whsec_") && !newSecret.equals(oldSecret));

        Events.post(key, Events.notification(1, provider));
        var during = receiver.await("/rotating", r -> r.size() == 1, Duration.ofSeconds(10)).get(0);
        assertEquals(2, during.headers().get("webhook-signature").split(" ").length);
        new Webhook(newSecret).verify(during.bodyText(), during.headerLists());
        new Webhook(oldSecret).verify(during.bodyText(), during.headerLists());

        database.query("UPDATE webhook SET previous_secret_expires_at = now() - interval '1 second' WHERE id = " + id);
        Events.post(key, Events.notification(2, provider));
        var after = receiver.await("/rotating", r -> r.size() == 2, Duration.ofSeconds(10)).get(1);
        assertEquals(1, after.headers().get("webhook-signature").split(" ").length);
        new Webhook(newSecret).verify(after.bodyText(), after.headerLists());
        assertThrows(WebhookVerificationException.class, () -> new Webhook(oldSecret).verify(after.bodyText(), after.headerLists()));
    }

    @Test
    void theLegacySchemeIsHexHmacSha512OfTheBodyInTheChosenHeader() throws Exception {
        JsonPath created = register("/legacy", "X-OneRoute-Signature");
        assertEquals("x-oneroute-signature", created.getString("data.webhook.legacySignatureHeader"));
        String secret = created.getString("data.webhook.secret");
        Events.post(key, Events.notification(1, provider));
        var got = receiver.await("/legacy", r -> r.size() == 1, Duration.ofSeconds(10)).get(0);
        Mac mac = Mac.getInstance("HmacSHA512");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA512"));
        assertEquals(HexFormat.of().formatHex(mac.doFinal(got.body())), got.headers().get("x-oneroute-signature"));
        new Webhook(secret).verify(got.bodyText(), got.headerLists()); // the standard signature is still there
    }

    @Test
    void aLegacyHeaderMustBeAHeaderNameHeraldDoesNotAlreadySend() {
        JsonPath reserved = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", legacySignatureHeader: "webhook-id"})
                  { id } }""".formatted(provider, receiver.url("/x")));
        assertEquals("legacySignatureHeader: must not be a header Herald already sends (webhook-id)",
                reserved.getString("errors[0].message"));
        JsonPath invalid = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", legacySignatureHeader: "a b"})
                  { id } }""".formatted(provider, receiver.url("/x")));
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(invalid));
    }

    @Test
    void secretsAreEncryptedAtRestAndShownOnlyToTheirOwner() {
        JsonPath created = register("/rest", null);
        String id = created.getString("data.webhook.id");
        String secret = created.getString("data.webhook.secret");
        String stored = database.query("SELECT secret FROM webhook WHERE id = " + id).iterator().next().getString(0);
        assertTrue(stored.startsWith("enc:v2:default:"), "stored encrypted with the ring's key");
        assertFalse(stored.contains(secret.substring("whsec_".length())), "no trace of the secret");
        assertEquals(secret, GraphQL.as(key, "{ webhookSecret(webhookId: \"%s\") { secret } }".formatted(id))
                .getString("data.webhookSecret.secret"));
    }

    private JsonPath register(String path, String legacyHeader) {
        String legacy = legacyHeader == null ? "" : ", legacySignatureHeader: \"" + legacyHeader + "\"";
        return GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"%s})
                  { id secret legacySignatureHeader } }""".formatted(provider, receiver.url(path), legacy));
    }
}
