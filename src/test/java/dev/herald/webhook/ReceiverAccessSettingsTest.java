package dev.herald.webhook;

import static dev.herald.testing.GraphQL.errorClassification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import dev.herald.testing.TemporaryFiles;
import dev.herald.testing.TestCertificates;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A webhook's receiver access as its owner sets it: its own proxy, a client certificate, an OAuth2 client. Bad
 * values are refused naming the field and the rule, writing nothing; what is stored is sealed, and what is shown
 * holds no password, key or client secret.
 */
@QuarkusTest
class ReceiverAccessSettingsTest {

    private static final String MUTATION = """
            mutation ($certificate: String!, $key: String!) {
              webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/access",
                      clientCertificate: {certificate: $certificate, privateKey: $key}}) { id } }""";

    private static TestCertificates.Pem valid;
    private static TestCertificates.Pem other;
    private static TestCertificates.Pem expired;
    private static TestCertificates.Pem edwards;

    @Inject
    Database database;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Path directory = TemporaryFiles.directory().resolve("receiver-access-settings");
        valid = TestCertificates.client(directory, "valid-client", "", 2);
        other = TestCertificates.client(directory, "other-client", "", 2);
        expired = TestCertificates.client(directory, "expired-client", "-3d", 1);
        edwards = TestCertificates.client(directory, "ed25519-client", "", 2, "Ed25519");
    }

    @Test
    void whatIsShownHoldsNoSecretAndWhatIsStoredIsSealed() {
        String key = GraphQL.newApplication("access-shown");
        int provider = GraphQL.newProvider(key, "smtp");
        Map<String, Object> variables = new HashMap<>(Map.of("certificate", valid.certificate(), "key",
                valid.privateKey()));
        JsonPath created = GraphQL.as(key, """
                mutation ($certificate: String!, $key: String!) {
                  webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/shown",
                          proxy: "http://tenant:pr0xy-pass@proxy.example:3128",
                          clientCertificate: {certificate: $certificate, privateKey: $key},
                          oauth2: {tokenUrl: "https://auth.example/token", clientId: "herald",
                                   clientSecret: "cl1ent-secret", scope: "hooks"}}) {
                    id access { proxy clientCertificate { subject notAfter } oauth2 { tokenUrl clientId scope } } } }"""
                .formatted(provider), variables);
        String id = created.getString("data.webhook.id");
        assertEquals("http://tenant:***@proxy.example:3128", created.getString("data.webhook.access.proxy"),
                created.prettify());
        assertEquals("CN=valid-client", created.getString("data.webhook.access.clientCertificate.subject"));
        assertEquals("https://auth.example/token", created.getString("data.webhook.access.oauth2.tokenUrl"));
        assertEquals("hooks", created.getString("data.webhook.access.oauth2.scope"));
        String listed = GraphQL.as(key, "{ webhooks { id access { proxy clientCertificate { subject } oauth2 {"
                + " clientId } } } }").prettify();
        for (String secret : new String[] { "pr0xy-pass", "cl1ent-secret", "PRIVATE KEY" }) {
            assertFalse(created.prettify().contains(secret) || listed.contains(secret), secret + " was shown");
        }
        var row = database.query("SELECT proxy, client_certificate, oauth2 FROM webhook WHERE id = " + id)
                .iterator().next();
        for (int column = 0; column < 3; column++) {
            assertTrue(row.getString(column).startsWith("enc:v2:"), "stored sealed: " + row.getString(column));
        }

        // fields left out keep their value; an empty one removes it
        JsonPath updated = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", proxy: "",
                  clientCertificate: {certificate: "", privateKey: ""}}) {
                  access { proxy clientCertificate { subject } oauth2 { clientId } } } }""".formatted(id));
        assertNull(updated.getString("data.updateWebhook.access.proxy"), updated.prettify());
        assertNull(updated.get("data.updateWebhook.access.clientCertificate"));
        assertEquals("herald", updated.getString("data.updateWebhook.access.oauth2.clientId"));
        JsonPath cleared = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s",
                  oauth2: {tokenUrl: "", clientId: "", clientSecret: ""}}) { access { oauth2 { clientId } } } }"""
                .formatted(id));
        assertNull(cleared.get("data.updateWebhook.access.oauth2"), cleared.prettify());
        assertNull(database.query("SELECT oauth2 FROM webhook WHERE id = " + id).iterator().next().getString(0));
    }

    @Test
    void aBadProxyIsRefusedNamingTheRule() {
        assertRefused(proxy("https://proxy.example:3128"), "proxy: must start with http:// (an HTTP CONNECT proxy;"
                + " TLS to the proxy itself is not supported)");
        assertRefused(proxy("http://proxy.example"), "proxy: must name a host and a port,"
                + " http://[user:password@]host:port");
        assertRefused(proxy("http://proxy.example:3128/path"), "proxy: must have no path or query");
        // never contacted: a benchmarking address (RFC 2544) refused as it is written
        assertRefused(proxy("http://198.18.0.7:3128"), "proxy: must not point at a benchmarking address 198.18.0.7");
    }

    @Test
    void aBadClientCertificateIsRefusedNamingTheRule() {
        assertRefused(certificate("not a certificate", valid.privateKey()),
                "clientCertificate.certificate: must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertRefused(certificate(valid.certificate(), valid.privateKey().replace("PRIVATE KEY", "EC PRIVATE KEY")),
                "clientCertificate.privateKey: must be an unencrypted PKCS8 PEM key (-----BEGIN PRIVATE KEY-----;"
                        + " `openssl pkcs8 -topk8 -nocrypt` converts other forms)");
        assertRefused(certificate(valid.certificate(), other.privateKey()),
                "clientCertificate.privateKey: is not the key of the certificate");
        // the TLS client reads RSA and EC keys only: an Ed25519 one would fail every handshake
        assertRefused(certificate(edwards.certificate(), edwards.privateKey()),
                "clientCertificate.privateKey: is not an RSA or EC private key");
        assertRefused(certificate("see below\n" + valid.certificate(), valid.privateKey()),
                "clientCertificate.certificate: must hold PEM certificates only");
        assertRefused(certificate(valid.certificate(), valid.privateKey() + "and more"),
                "clientCertificate.privateKey: must hold the PEM key only");
        assertRefused(certificate(valid.certificate() + "x".repeat(16 * 1024), valid.privateKey()),
                "clientCertificate.certificate: must be at most 16384 characters");
        JsonPath stale = certificate(expired.certificate(), expired.privateKey());
        assertTrue(stale.getString("errors[0].message").startsWith("clientCertificate.certificate: expired on "),
                stale.prettify());
    }

    @Test
    void aBadOAuth2ClientIsRefusedNamingTheRule() {
        assertRefused(oauth2("ftp://auth.example/token", "herald", "secret"),
                "oauth2.tokenUrl: must be an absolute http or https URL");
        assertRefused(oauth2("https://user:pw@auth.example/token", "herald", "secret"),
                "oauth2.tokenUrl: must not contain user information (user:password@)");
        assertRefused(oauth2("https://auth.example/token", "", "secret"), "oauth2.clientId: must be 1 to 256 characters");
        assertRefused(oauth2("https://auth.example/token", "herald", ""),
                "oauth2.clientSecret: must be 1 to 1024 characters");
    }

    private JsonPath proxy(String proxy) {
        return GraphQL.as(GraphQL.DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://example.com/p",
                  proxy: "%s"}) { id } }""".formatted(proxy));
    }

    private JsonPath certificate(String certificate, String key) {
        return GraphQL.as(GraphQL.DEMO_KEY, MUTATION.formatted(10), Map.of("certificate", certificate, "key", key));
    }

    private JsonPath oauth2(String tokenUrl, String clientId, String clientSecret) {
        return GraphQL.as(GraphQL.DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://example.com/o",
                  oauth2: {tokenUrl: "%s", clientId: "%s", clientSecret: "%s"}}) { id } }"""
                .formatted(tokenUrl, clientId, clientSecret));
    }

    private void assertRefused(JsonPath answer, String message) {
        String before = database.snapshot();
        assertEquals("BAD_REQUEST", errorClassification(answer), answer.prettify());
        assertEquals(message, answer.getString("errors[0].message"));
        assertEquals(before, database.snapshot(), "nothing written");
    }
}
