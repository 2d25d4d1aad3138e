package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The Java receiver of {@code docs/receiving.md}, copied from there as it is ({@link #receive}), on the JDK's own
 * HTTP server: it accepts Herald's real deliveries and test events and refuses a forged request.
 */
@QuarkusTest
class ReceiverSnippetTest extends WithReceiver {

    @Inject
    Database database;

    // ---- docs/receiving.md, "Java": from here ----
    /** A Herald receiver on the JDK's HTTP server: verify the raw body, answer at once, work afterwards. */
    static void receive(HttpExchange exchange, Webhook webhook, Consumer<String> work) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new HashMap<>(); // the library looks headers up in lower case
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        try {
            webhook.verify(body, headers); // the signature, and a timestamp within 5 minutes
        } catch (WebhookVerificationException forged) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
        work.accept(body); // deduplicate on headers.get("webhook-id"): a retry carries the same one
    }
    // ---- to here ----

    @Test
    void theDocumentedJavaReceiverAcceptsHeraldsDeliveriesAndRefusesAForgery() throws Exception {
        AtomicReference<Webhook> verifier = new AtomicReference<>();
        List<String> worked = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/herald", exchange -> receive(exchange, verifier.get(), worked::add));
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/herald";
            JsonPath created = GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"}) { id secret } }"""
                    .formatted(provider, url));
            String webhook = created.getString("data.webhook.id");
            verifier.set(new Webhook(created.getString("data.webhook.secret")));

            Events.post(key, Events.notification(77, provider));
            database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 1,
                    Duration.ofSeconds(10));
            assertTrue(worked.get(0).contains("\"id\": 77"), worked.toString());
            assertEquals(1, database.count("delivery_attempt a JOIN all_deliveries d ON d.id = a.delivery_id"
                    + " WHERE d.webhook_id = " + webhook), "accepted at the first attempt");

            JsonPath tested = GraphQL.as(key, "mutation { sendTestEvent(webhookId: \"%s\") { statusCode } }"
                    .formatted(webhook));
            assertEquals(204, tested.getInt("data.sendTestEvent.statusCode"));

            HttpResponse<Void> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("webhook-id", "msg_1").header("webhook-timestamp",
                            Long.toString(System.currentTimeMillis() / 1000))
                    .header("webhook-signature", "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": 1}")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(401, forged.statusCode());
            assertEquals(2, worked.size(), "the delivery and the test event, not the forgery");
        } finally {
            server.stop(0);
        }
    }
}
