package dev.herald.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.StringJoiner;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.faults.Herald;
import dev.herald.testing.Events;
import dev.herald.testing.Pause;

/**
 * A tenant that takes more than its quotas, through two replicas at once: its webhooks, its events per second and per
 * request are counted in PostgreSQL, so replicas do not multiply them; every refusal names the quota.
 */
class HostileQuotasIT extends HostileTier {

    @Test
    void quotasHoldAcrossReplicas() throws Exception {
        try (Herald one = replica("quotas-1"); Herald two = replica("quotas-2")) {
            Herald.awaitReady(one, two);
            Herald.Tenant greedy = one.newTenant("greedy");
            Herald[] replicas = { one, two };
            for (int i = 0; i < 3; i++) {
                replicas[i % 2].newWebhook(greedy, "https://example.com/q" + i);
            }
            JsonNode fourth = two.graphql(greedy.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/q4"}) { id } }"""
                    .formatted(greedy.provider()));
            assertEquals("QUOTA_EXCEEDED", fourth.at("/errors/0/extensions/classification").asText(), fourth.toString());
            assertTrue(fourth.at("/errors/0/message").asText().contains("herald.tenancy.max-webhooks-per-application"));

            Map<String, String> headers = Map.of("Content-Type", "application/json", "x-api-key", greedy.key());
            one.post("/v1/events", Events.notification(0, greedy.provider()).getBytes(StandardCharsets.UTF_8), headers);
            two.post("/v1/events", Events.notification(0, greedy.provider()).getBytes(StandardCharsets.UTF_8), headers);
            Pause.because(Duration.ofMillis(1_100),
                    "the two warm-up events' tokens come back: the bucket is full again");
            // 160 events in sixteen requests of ten, all at once, half through each replica
            ExecutorService producers = Executors.newFixedThreadPool(16);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < 16; i++) {
                Herald replica = replicas[i % 2];
                byte[] events = Events.notifications(10, greedy.provider()).getBytes(StandardCharsets.UTF_8);
                answers.add(producers.submit(() -> replica.post("/v1/events", events, headers)));
            }
            int accepted = 0;
            HttpResponse<String> refused = null;
            for (Future<HttpResponse<String>> sent : answers) {
                HttpResponse<String> answer = sent.get();
                assertNotNull(answer.headers().firstValue("RateLimit-Limit").orElse(null), "every answer says so");
                if (answer.statusCode() == 202) {
                    accepted += 10;
                } else {
                    assertEquals(429, answer.statusCode(), answer.body());
                    refused = answer;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            producers.shutdown();
            System.out.printf("HOSTILE ingest rate: %d of 160 events accepted in %.2f s at 50 a second across two"
                    + " replicas%n", accepted, seconds);
            assertTrue(accepted <= 50 + 50 * seconds, accepted + " accepted in " + seconds + " s");
            assertNotNull(refused, "some were refused");
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            assertEquals("50", refused.headers().firstValue("RateLimit-Limit").orElseThrow());
            assertTrue(refused.body().contains("herald.ingest.max-events-per-second-per-application"), refused.body());

            long stored = database.queryLong("SELECT count(*) FROM event WHERE provider_id = " + greedy.provider());
            StringJoiner flood = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 100_000; i++) {
                flood.add("{\"providerId\":" + greedy.provider() + "}");
            }
            byte[] body = flood.toString().getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> tooMany = one.post("/v1/events", body, headers);
            assertEquals(413, tooMany.statusCode(), tooMany.body());
            assertTrue(tooMany.body().contains("herald.ingest.max-events-per-request"), tooMany.body());
            assertEquals(stored, database.queryLong("SELECT count(*) FROM event WHERE provider_id = "
                    + greedy.provider()), "nothing of a " + body.length / 1024 + " KB request was stored");
        }
    }

    private Herald replica(String name) throws Exception {
        return Herald.named(name).with("HERALD_TENANCY_MAX_WEBHOOKS_PER_APPLICATION", "3")
                .with("HERALD_INGEST_MAX_EVENTS_PER_SECOND_PER_APPLICATION", "50").startBeside(database);
    }
}
