package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.DebianTools;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A OneRoute receiver written exactly as its documentation shows (HMAC-SHA512 hex of {@code JSON.stringify} of the
 * body as the framework parsed it, here with Node's own JSON.parse, which is what Express's json() does) accepts
 * every delivery of a webhook with {@code legacySignatureHeader}, however the producer spaced its JSON. A Standard
 * Webhooks webhook beside it still gets the producer's exact bytes.
 */
@QuarkusTest
class LegacyReceiverTest extends WithReceiver {

    /** The check of the seed document, in a plain Node server on loopback: 200 when it matches, else 401. */
    private static final String ONEROUTE_RECEIVER = """
            const http = require('http'), crypto = require('crypto');
            const secret = process.argv[2];
            http.createServer((req, res) => {
              let raw = '';
              req.setEncoding('utf8');
              req.on('data', chunk => raw += chunk);
              req.on('end', () => {
                const body = JSON.parse(raw); // what express.json() hands the route as req.body
                const oneRouteSignatureHash = req.headers['x-oneroute-signature'];
                const hash = crypto.createHmac('sha512', secret).update(JSON.stringify(body)).digest('hex');
                res.statusCode = oneRouteSignatureHash === hash ? 200 : 401;
                res.end();
              });
            }).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
            """;

    /** Indented as the OsmoX documentation prints payloads, with what JSON.stringify writes differently. */
    private static final List<String> PAYLOADS = List.of("""
            {
              "id": 51,
              "providerId": %d,
              "channelType": 8,
              "data": {
                "to": "+919810450807",
                "text": "Dear Lakshaya,\\nGr\\u00fc\\u00dfe \u2028 caf\u00e9 \\/ \\ud83d\\ude00"
              },
              "deliveryStatus": 5,
              "result": { "result": { "messages": [ ] } },
              "createdOn": "2024-07-12T09:14:26.000Z"
            }""", """
            { "id" : 52, "providerId" : %d, "amount" : 1.0, "big" : 1e21, "small" : 1E-7, "long" : 12345678901234567890,
              "2" : "b", "1" : "a", "id2" : -0.0 , "dup" : 1, "dup" : 2 }""", """
            {"providerId": %d, "list": [ 1.50, "\\u0041", true, null, {} ] }""");

    @Inject
    Database database;

    private Process node;

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.destroyForcibly();
        }
    }

    @Test
    void aReceiverVerifyingAsOneRouteDocumentsAcceptsEveryDelivery() throws Exception {
        JsonPath created = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "http://127.0.0.1:1/later",
                  legacySignatureHeader: "x-oneroute-signature"}) { id secret } }""".formatted(provider));
        String webhook = created.getString("data.webhook.id");
        int port = startReceiver(created.getString("data.webhook.secret"));
        GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", webhookUrl: "http://127.0.0.1:%d/oneroute"})
                  { id } }""".formatted(webhook, port));
        GraphQL.newWebhook(key, provider, receiver.url("/standard"));

        for (String payload : PAYLOADS) {
            Events.post(key, payload.formatted(provider));
        }
        database.awaitCount("delivery_attempt a JOIN all_deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = "
                + webhook, PAYLOADS.size(), Duration.ofSeconds(15));
        assertEquals(0, database.count("delivery_attempt a JOIN all_deliveries d ON d.id = a.delivery_id"
                + " WHERE d.webhook_id = " + webhook + " AND a.status_code IS DISTINCT FROM 200"),
                "every first attempt was accepted by the documented check");

        var standard = receiver.await("/standard", r -> r.size() == PAYLOADS.size(), Duration.ofSeconds(10));
        for (String payload : PAYLOADS) {
            byte[] sent = payload.formatted(provider).getBytes(StandardCharsets.UTF_8);
            assertTrue(standard.stream().anyMatch(r -> java.util.Arrays.equals(sent, r.body())),
                    "a Standard Webhooks webhook gets the exact bytes");
        }
    }

    private int startReceiver(String secret) throws Exception {
        Path script = Files.createTempFile("oneroute-receiver", ".js");
        Files.writeString(script, ONEROUTE_RECEIVER);
        script.toFile().deleteOnExit();
        node = new ProcessBuilder(DebianTools.require("node", "nodejs").toString(), script.toString(), secret)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // the port, once it listens
        if (line == null || !line.matches("\\d+")) {
            throw new AssertionError("the Node receiver did not start: " + line);
        }
        return Integer.parseInt(line);
    }
}
