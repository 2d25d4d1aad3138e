package dev.herald.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestCertificates;
import dev.herald.testing.TestHostResolver;
import dev.herald.testing.ThroughAProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Every attempt goes through the deployment's proxy ({@code herald.delivery.proxy}), a real one on loopback: an https
 * webhook through a {@code CONNECT} tunnel to the address Herald resolved and checked (never the name, which the
 * proxy would resolve again), a plain-http one forwarded whole; the proxy's credentials go with each.
 */
@QuarkusTest
@TestProfile(ThroughAProxy.class)
class EgressProxyTest {

    private static List<String> seen() {
        return ThroughAProxy.seen();
    }

    private static final String CREDENTIALS = "Basic "
            + Base64.getEncoder().encodeToString("herald:s@cret".getBytes(StandardCharsets.UTF_8));

    @Test
    void anHttpsWebhookIsReachedThroughACONNECTTunnelToTheCheckedAddress() throws Exception {
        String key = GraphQL.newApplication("egress-https");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = Receiver.https(ThroughAProxy.keyStore(), TestCertificates.PASSWORD)) {
            String url = receiver.url("/tls");
            assertTrue(url.startsWith("https://localhost:"), url);
            GraphQL.newWebhook(key, provider, url);
            int before = seen().size();
            Events.post(key, Events.notification(1, provider));

            receiver.await("/tls", got -> got.size() == 1, Duration.ofSeconds(10));
            List<String> tunnels = seen().subList(before, seen().size()).stream()
                    .filter(head -> head.startsWith("CONNECT ")).toList();
            // the checked address, not the name: the proxy resolves nothing
            assertEquals("CONNECT 127.0.0.1:" + receiver.port() + " HTTP/1.1\n" + CREDENTIALS, tunnels.get(0),
                    "what the proxy was sent: " + seen());
        }
    }

    @Test
    void aPlainHttpWebhookIsForwardedThroughTheProxy() throws Exception {
        String key = GraphQL.newApplication("egress-http");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            GraphQL.newWebhook(key, provider, receiver.url("/plain"));
            Events.post(key, Events.notification(1, provider));

            Receiver.Received got = receiver.await("/plain", all -> all.size() == 1, Duration.ofSeconds(10)).get(0);
            assertTrue(seen().contains("POST " + receiver.url("/plain") + " HTTP/1.1\n" + CREDENTIALS),
                    "what the proxy was sent: " + seen());
            assertTrue(got.headers().get("webhook-signature") != null, "signed as ever");
        }
    }

    @Test
    void aDestinationWhoseNameResolvesToARefusedAddressIsBlockedBeforeTheProxyIsAsked() throws Exception {
        String key = GraphQL.newApplication("egress-inside");
        int provider = GraphQL.newProvider(key, "smtp");
        // a benchmarking range (RFC 2544) that nothing here listens on; Herald resolves it, the proxy is never told
        TestHostResolver.answer("inside-destination.herald.test", "198.18.0.11");
        String webhook = GraphQL.newWebhook(key, provider, "https://inside-destination.herald.test/hook");
        int before = seen().size();
        Events.post(key, Events.notification(1, provider));

        String error = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> GraphQL.as(key, """
                        { deliveries(webhookId: "%s") { items { attempts { error } } } }""".formatted(webhook))
                        .getString("data.deliveries.items[0].attempts[0].error"), found -> found != null);
        assertEquals("blocked: benchmarking address 198.18.0.11", error);
        assertTrue(seen().subList(before, seen().size()).stream()
                .noneMatch(head -> head.contains("198.18.0.11") || head.contains("inside-destination")),
                "the proxy was asked: " + seen());
    }
}
