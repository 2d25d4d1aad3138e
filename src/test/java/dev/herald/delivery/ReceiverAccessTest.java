package dev.herald.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.herald.testing.ConnectProxy;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.TemporaryFiles;
import dev.herald.testing.TestCertificates;
import dev.herald.testing.TestHostResolver;
import dev.herald.testing.ThroughAProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * How a webhook's receiver is reached, per webhook, against real receivers on loopback: a client certificate for a
 * TLS receiver that requires one (mTLS), an OAuth2 bearer token from a real token endpoint (asked once, used while
 * fresh, renewed once when the receiver refuses it), and an egress proxy of the webhook's own, itself under the
 * address policy. The deployment's proxy of the profile carries every other attempt.
 */
@QuarkusTest
@TestProfile(ThroughAProxy.class)
class ReceiverAccessTest {

    @Test
    void aReceiverThatRequiresAClientCertificateGetsTheWebhooksOwn() throws Exception {
        TestCertificates.Pem client = TestCertificates.client(TemporaryFiles.directory().resolve("mtls"),
                "herald-client", "", 2);
        String key = GraphQL.newApplication("mtls");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = Receiver.httpsRequiringClientCertificate(ThroughAProxy.keyStore(),
                TestCertificates.PASSWORD, client.certificate())) {
            JsonPath with = GraphQL.as(key, """
                    mutation ($certificate: String!, $key: String!) {
                      webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                              clientCertificate: {certificate: $certificate, privateKey: $key}}) {
                        id access { clientCertificate { subject } } } }""".formatted(provider, receiver.url("/mtls")),
                    Map.of("certificate", client.certificate(), "key", client.privateKey()));
            assertEquals("CN=herald-client", with.getString("data.webhook.access.clientCertificate.subject"),
                    with.prettify());
            String without = GraphQL.newWebhook(key, provider, receiver.url("/mtls"));
            Events.post(key, Events.notification(1, provider));

            Receiver.Received got = receiver.await("/mtls", all -> all.size() == 1, Duration.ofSeconds(10)).get(0);
            assertEquals("CN=herald-client", got.clientCertificate());
            // the webhook without one is refused at the handshake, and told so
            String error = firstAttemptError(key, without);
            assertTrue(error.startsWith("network: "), error);
            assertEquals(1, receiver.at("/mtls").size());
        }
    }

    @Test
    void anOAuth2TokenIsAskedOnceUsedWhileFreshAndRenewedOnlyOnceWhenTheReceiverRefusesIt() throws Exception {
        String key = GraphQL.newApplication("oauth2");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            AtomicReference<String> taken = new AtomicReference<>("token-1");
            receiver.answer("/token", tokenAnswer("token-1"));
            receiver.refuseUnless("/api", headers -> ("Bearer " + taken.get()).equals(headers.get("authorization")),
                    401);
            String webhook = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                      oauth2: {tokenUrl: "%s", clientId: "herald", clientSecret: "p@ss word", scope: "hooks:write"}})
                      { id } }""".formatted(provider, receiver.url("/api"), receiver.url("/token")))
                    .getString("data.webhook.id");

            Events.post(key, Events.notification(1, provider));
            receiver.await("/api", all -> all.size() == 1, Duration.ofSeconds(10));
            Events.post(key, Events.notification(2, provider));
            receiver.await("/api", all -> all.size() == 2, Duration.ofSeconds(10));
            List<Receiver.Received> asked = receiver.at("/token");
            assertEquals(1, asked.size(), "one token for both attempts");
            // the client credentials grant, the client authenticated with HTTP Basic (RFC 6749, 2.3.1 and 4.4)
            assertEquals("Basic " + Base64.getEncoder().encodeToString("herald:p%40ss+word"
                    .getBytes(StandardCharsets.UTF_8)), asked.get(0).headers().get("authorization"));
            assertEquals("grant_type=client_credentials&scope=hooks%3Awrite", asked.get(0).bodyText());
            assertEquals("application/x-www-form-urlencoded", asked.get(0).headers().get("content-type"));

            // the receiver now takes only a new token: the cached one is refused once, a new one asked for
            taken.set("token-2");
            receiver.answer("/token", tokenAnswer("token-2"));
            Events.post(key, Events.notification(3, provider));
            List<Receiver.Received> api = receiver.await("/api", all -> all.size() == 4, Duration.ofSeconds(10));
            assertEquals("Bearer token-1", api.get(2).headers().get("authorization"));
            assertEquals("Bearer token-2", api.get(3).headers().get("authorization"));
            assertEquals(2, receiver.at("/token").size());
            JsonPath deliveries = await().atMost(Duration.ofSeconds(10)).until(() -> GraphQL.as(key, """
                    { deliveries(webhookId: "%s", status: DELIVERED) { totalCount items { attemptCount } } }"""
                    .formatted(webhook)), page -> page.getInt("data.deliveries.totalCount") == 3);
            assertEquals(List.of(1, 1, 1), deliveries.getList("data.deliveries.items.attemptCount"),
                    "the new token's request is part of the same attempt");

            // from now on every token is refused: the cached one, then the one asked for in its place, and no other
            taken.set("none");
            receiver.answer("/token", tokenAnswer("token-3"));
            Events.post(key, Events.notification(4, provider));
            // the attempt ends with the second refusal (its retry comes seconds later, by the schedule)
            String error = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> GraphQL.as(key, """
                            { deliveries(webhookId: "%s", status: PENDING) { items { attempts { error } } } }"""
                            .formatted(webhook)).getString("data.deliveries.items[0].attempts[0].error"),
                            found -> found != null);
            assertEquals("http_401", error);
            assertEquals(3, receiver.at("/token").size(), "renewed once, not again");
            api = receiver.at("/api");
            assertEquals(6, api.size(), "the cached token's request and the renewed one's");
            assertEquals("Bearer token-3", api.get(5).headers().get("authorization"));
        }
    }

    @Test
    void aTokenEndpointThatRefusesFailsTheAttemptSayingWhy() throws Exception {
        String key = GraphQL.newApplication("oauth2-refused");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/token", new Receiver.Behaviour(400, Duration.ZERO,
                    Map.of("Content-Type", "application/json"), "{\"error\":\"invalid_client\"}"));
            String webhook = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                      oauth2: {tokenUrl: "%s", clientId: "herald", clientSecret: "wrong"}}) { id } }"""
                    .formatted(provider, receiver.url("/api"), receiver.url("/token"))).getString("data.webhook.id");
            Events.post(key, Events.notification(1, provider));

            assertEquals("network: OAuth2 token: the token endpoint answered 400: {\"error\":\"invalid_client\"}",
                    firstAttemptError(key, webhook));
            assertEquals(0, receiver.at("/api").size(), "nothing is sent without a token");
            assertEquals("grant_type=client_credentials", receiver.at("/token").get(0).bodyText(), "no scope asked");
        }
    }

    @Test
    void aTokenEndpointThatDripsItsAnswerIsCutOffWithTheAttempt() throws Exception {
        String key = GraphQL.newApplication("oauth2-drip");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/token", Receiver.Behaviour.drip(Duration.ofMillis(200)));
            String webhook = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", timeout: "2s",
                      oauth2: {tokenUrl: "%s", clientId: "herald", clientSecret: "s"}}) { id } }"""
                    .formatted(provider, receiver.url("/api"), receiver.url("/token"))).getString("data.webhook.id");
            Events.post(key, Events.notification(1, provider));

            assertEquals("timeout", firstAttemptError(key, webhook));
            // its connection closed by then: no token request outlives the attempt that asked for it
            receiver.at("/token").get(0).connectionClosed().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, receiver.at("/api").size());
        }
    }

    @Test
    void aTokenOfAVeryLongLifeIsKeptForADayAndUsedAgain() throws Exception {
        String key = GraphQL.newApplication("oauth2-long");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/token", new Receiver.Behaviour(200, Duration.ZERO, Map.of("Content-Type",
                    "application/json"), "{\"access_token\":\"forever\",\"expires_in\":9223372036854775807}"));
            registerWithOAuth2(key, provider, receiver);
            Events.post(key, Events.notification(1, provider));
            receiver.await("/api", all -> all.size() == 1, Duration.ofSeconds(10));
            Events.post(key, Events.notification(2, provider));
            List<Receiver.Received> api = receiver.await("/api", all -> all.size() == 2, Duration.ofSeconds(10));
            assertEquals("Bearer forever", api.get(1).headers().get("authorization"));
            assertEquals(1, receiver.at("/token").size(), "asked once");
        }
    }

    @Test
    void aTokenPastItsLifeIsAskedForAgain() throws Exception {
        String key = GraphQL.newApplication("oauth2-expiry");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/token", tokenAnswer("short-lived", 1));
            registerWithOAuth2(key, provider, receiver);
            Events.post(key, Events.notification(1, provider));
            receiver.await("/api", all -> all.size() == 1, Duration.ofSeconds(10));
            receiver.answer("/token", tokenAnswer("next", 1));
            // the token's one-second life is the property under test: outlive it
            Thread.sleep(1_100);
            Events.post(key, Events.notification(2, provider));

            List<Receiver.Received> api = receiver.await("/api", all -> all.size() == 2, Duration.ofSeconds(10));
            assertEquals("Bearer short-lived", api.get(0).headers().get("authorization"));
            assertEquals("Bearer next", api.get(1).headers().get("authorization"), "a new token, not the expired one");
            assertEquals(2, receiver.at("/token").size());
        }
    }

    @Test
    void aNewTokenThatTheReceiverRefusesIsNotAskedForAgainWithinTheAttempt() throws Exception {
        String key = GraphQL.newApplication("oauth2-new-refused");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/token", tokenAnswer("token-1"));
            receiver.refuseUnless("/api", headers -> false, 401);
            String webhook = registerWithOAuth2(key, provider, receiver);
            Events.post(key, Events.notification(1, provider));

            assertEquals("http_401", firstAttemptError(key, webhook));
            assertEquals(1, receiver.at("/token").size(), "a token just given is not renewed");
            assertEquals(1, receiver.at("/api").size());
        }
    }

    private static String registerWithOAuth2(String key, int provider, Receiver receiver) {
        return GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                  oauth2: {tokenUrl: "%s", clientId: "herald", clientSecret: "s"}}) { id } }"""
                .formatted(provider, receiver.url("/api"), receiver.url("/token"))).getString("data.webhook.id");
    }

    @Test
    void aWebhooksOwnProxyCarriesItsAttemptsReachedAtTheAddressHeraldChecked() throws Exception {
        String key = GraphQL.newApplication("own-proxy");
        int provider = GraphQL.newProvider(key, "smtp");
        try (ConnectProxy own = new ConnectProxy(); Receiver receiver = new Receiver()) {
            TestHostResolver.answer("egress.herald.test", "127.0.0.1");
            GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                      proxy: "http://tenant:pw@egress.herald.test:%d"}) { id } }"""
                    .formatted(provider, receiver.url("/own"), own.port()));
            int before = ThroughAProxy.seen().size();
            Events.post(key, Events.notification(1, provider));

            receiver.await("/own", all -> all.size() == 1, Duration.ofSeconds(10));
            String credentials = "Basic " + Base64.getEncoder().encodeToString("tenant:pw".getBytes(StandardCharsets.UTF_8));
            assertTrue(own.seen().contains("POST " + receiver.url("/own") + " HTTP/1.1\n" + credentials),
                    "what the webhook's proxy was sent: " + own.seen());
            assertTrue(ThroughAProxy.seen().subList(before, ThroughAProxy.seen().size()).stream()
                    .noneMatch(head -> head.contains("/own")), "the deployment's proxy saw it: " + ThroughAProxy.seen());
        }
    }

    @Test
    void aWebhooksProxyWhoseNameResolvesToARefusedAddressIsNeverContacted() throws Exception {
        String key = GraphQL.newApplication("refused-proxy");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            // a benchmarking range (RFC 2544) that nothing here listens on: refused before any connection
            TestHostResolver.answer("inside.herald.test", "198.18.0.9");
            String webhook = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                      proxy: "http://inside.herald.test:3128"}) { id } }"""
                    .formatted(provider, receiver.url("/behind"))).getString("data.webhook.id");
            Events.post(key, Events.notification(1, provider));

            assertEquals("blocked: the webhook's proxy: benchmarking address 198.18.0.9", firstAttemptError(key, webhook));
            assertEquals(0, receiver.at("/behind").size());
        }
    }

    @Test
    void aTokenUrlWhoseNameResolvesToARefusedAddressIsNeverContacted() throws Exception {
        String key = GraphQL.newApplication("oauth2-inside");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            TestHostResolver.answer("auth-inside.herald.test", "198.18.0.10");
            String webhook = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s",
                      oauth2: {tokenUrl: "http://auth-inside.herald.test/token", clientId: "herald",
                               clientSecret: "s"}}) { id } }"""
                    .formatted(provider, receiver.url("/api"))).getString("data.webhook.id");
            Events.post(key, Events.notification(1, provider));

            assertEquals("blocked: the OAuth2 token URL: benchmarking address 198.18.0.10",
                    firstAttemptError(key, webhook));
            assertEquals(0, receiver.at("/api").size());
        }
    }

    private static Receiver.Behaviour tokenAnswer(String token) {
        return tokenAnswer(token, 3600);
    }

    private static Receiver.Behaviour tokenAnswer(String token, int expiresInSeconds) {
        return new Receiver.Behaviour(200, Duration.ZERO, Map.of("Content-Type", "application/json"),
                "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                        + expiresInSeconds + "}");
    }

    private static String firstAttemptError(String key, String webhook) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> GraphQL.as(key, """
                        { deliveries(webhookId: "%s") { items { attempts { error } } } }""".formatted(webhook))
                        .getString("data.deliveries.items[0].attempts[0].error"), error -> error != null);
    }
}
