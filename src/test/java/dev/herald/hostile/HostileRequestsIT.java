package dev.herald.hostile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.faults.Herald;
import dev.herald.faults.Postgres;
import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * Requests a tenant (or anyone) can send that once hung the API, stopped fan-out for everyone, ran a replica out of
 * memory, leaked secrets or answered with internals: against one packaged replica, each refused or contained.
 */
@RunsAlone
class HostileRequestsIT extends HostileTier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> AS_JSON = Map.of("Content-Type", "application/json");
    private static Herald herald;

    @BeforeAll
    static void start() throws Exception {
        herald = Herald.named("hostile-requests").start(Postgres.shared());
    }

    @AfterAll
    static void stop() throws Exception {
        herald.close();
    }

    private static JsonNode json(HttpResponse<String> answer) throws Exception {
        return JSON.readTree(answer.body());
    }

    /** The 45-byte request: a fragment that spreads itself, sent with no key. */
    private static HttpResponse<String> selfSpread() throws Exception {
        return herald.post("/graphql", "{\"query\":\"fragment F on Query { ...F ...F } { ...F }\"}"
                .getBytes(StandardCharsets.UTF_8), AS_JSON);
    }

    @Test
    void aSelfSpreadingFragmentIsRefusedAtOnceEvenEightAtATimeAndTheApiGoesOn() throws Exception {
        Herald.Tenant bystander = herald.newTenant("bystander");
        selfSpread(); // warm
        List<Long> alone = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long started = System.nanoTime();
            herald.data(bystander.key(), "{ providers { providerId } }");
            herald.postEvents(bystander.key(), Events.notification(i, bystander.provider()));
            alone.add(millisSince(started));
        }
        ExecutorService attackers = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<Long>> refusals = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    refusals.add(attackers.submit(() -> {
                        long started = System.nanoTime();
                        HttpResponse<String> answer = selfSpread();
                        long millis = millisSince(started);
                        assertTrue(answer.body().contains("fragment spreads must not form cycles (F → F)"),
                                answer.body());
                        return millis;
                    }));
                }
                long started = System.nanoTime();
                herald.data(bystander.key(), "{ providers { providerId } }");
                herald.postEvents(bystander.key(), Events.notification(100 + round, bystander.provider()));
                long during = millisSince(started);
                for (Future<Long> refusal : refusals) {
                    assertTrue(refusal.get() < 100, "a refusal took " + refusal.get() + " ms");
                }
                assertTrue(during <= 2 * p99(alone) + 20, "the bystander's query and event took " + during
                        + " ms beside eight attacks; alone at most " + p99(alone) + " ms");
            }
        } finally {
            attackers.shutdown();
        }
        StringBuilder nested = new StringBuilder("{ ...F0 }");
        for (int i = 0; i < 20; i++) {
            nested.append(" fragment F").append(i).append(" on Query { ...F").append(i + 1).append(" ...F")
                    .append(i + 1).append(" }");
        }
        nested.append(" fragment F20 on Query { providers { name } }");
        long started = System.nanoTime();
        JsonNode refused = herald.graphql(bystander.key(), nested.toString());
        assertTrue(millisSince(started) < 100, "the 1 KB variant took " + millisSince(started) + " ms");
        assertTrue(refused.at("/errors/0/message").asText().contains("fields selected"), refused.toString());
        assertFalse(herald.data(Herald.ADMIN_KEY, "mutation { createApplication(createApplicationInput:"
                + " {name: \"after the attack\"}) { apiKey } }").at("/createApplication/apiKey").asText().isEmpty());
    }

    @Test
    void aPoisonedEventIsRefusedAtTheDoorAndSetAsideWhenInsertedAndTheOthersAreDelivered() throws Exception {
        Herald.Tenant careless = herald.newTenant("careless");
        Herald.Tenant bystander = herald.newTenant("bystander");
        try (Receiver receiver = new Receiver()) {
            herald.data(careless.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", channelTypes: [1]}) { id } }"""
                    .formatted(careless.provider(), receiver.url("/careless")));
            herald.newWebhook(bystander, receiver.url("/bystander"));
            for (String poison : List.of("a\\u0000b", "cut \\ud83d")) {
                HttpResponse<String> refused = herald.post("/v1/events", ("{\"providerId\": " + careless.provider()
                        + ", \"channelType\": 1, \"data\": {\"text\": \"" + poison + "\"}}").getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json", "x-api-key", careless.key()));
                assertEquals(400, refused.statusCode(), refused.body());
                assertTrue(json(refused).get("message").asText().startsWith("data.text: a string holds"), refused.body());
            }
            // a producer's own INSERT bypasses the door
            database.execute("INSERT INTO event (provider_id, payload) VALUES (" + careless.provider()
                    + ", '{\"channelType\": 1, \"data\": \"\\u0000\"}')");
            long started = System.nanoTime();
            herald.postEvents(bystander.key(), Events.notification(1, bystander.provider()));
            receiver.await("/bystander", got -> got.size() == 1, Duration.ofSeconds(2));
            System.out.printf("HOSTILE poisoned row beside: the bystander's event arrived in %d ms%n",
                    millisSince(started));
            database.awaitCount("event WHERE fan_out_error IS NOT NULL", 1, Duration.ofSeconds(5));
            assertEquals(1, herald.data(Herald.ADMIN_KEY, "{ setAsideEvents { eventId error } }").at("/setAsideEvents")
                    .size());
            assertTrue(herald.logLines("was set aside: its fan-out fails").size() >= 1, "the operator's log says so");
            awaitMetric("herald_events_set_aside_now", 1);
            assertEquals(200, herald.status("/q/health/ready"), "the replica serves every other tenant");
        }
    }

    private static void awaitMetric(String series, double expected) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertEquals(
                expected, herald.get("/q/metrics").lines().filter(l -> l.startsWith(series + " ")).mapToDouble(
                        l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1), series));
    }

    /** 1,000 webhooks, ten aliases of every webhook's health: answered or refused within a second, in 256 MB. */
    @Test
    void everyWebhooksHealthTenTimesOverIsAnsweredOrRefusedWithinASecond() throws Exception {
        Herald.Tenant hoarder = herald.newTenant("hoarder");
        for (int batch = 0; batch < 100; batch++) {
            StringBuilder mutation = new StringBuilder("mutation {");
            for (int i = 0; i < 10; i++) {
                mutation.append(" w").append(i).append(": webhook(createWebhookInput: {providerId: ")
                        .append(hoarder.provider()).append(", webhookUrl: \"https://example.com/h")
                        .append(batch * 10 + i).append("\"}) { id }");
            }
            herald.data(hoarder.key(), mutation.append(" }").toString());
        }
        String everything = "w%d: webhooks(limit: 500) { id health { successRate1h pending inFlight"
                + " minutes { minute succeeded failed } } }";
        StringBuilder greedy = new StringBuilder("{");
        for (int i = 0; i < 10; i++) {
            greedy.append(' ').append(everything.formatted(i));
        }
        long started = System.nanoTime();
        JsonNode refused = herald.graphql(hoarder.key(), greedy.append(" }").toString());
        long refusedIn = millisSince(started);
        assertTrue(refused.at("/errors/0/message").asText().contains("herald.graphql.max-cost"), refused.toString());
        assertTrue(refusedIn < 1_000, "refused in " + refusedIn + " ms");

        // the same reach, within the cost: every webhook's health once, ten pages of a hundred
        List<String> afters = new ArrayList<>();
        afters.add(null);
        List<String> ids = new ArrayList<>();
        herald.data(hoarder.key(), "{ webhooks(limit: 500) { id } }").at("/webhooks")
                .forEach(webhook -> ids.add(webhook.at("/id").asText()));
        herald.data(hoarder.key(), "{ webhooks(limit: 500, after: \"%s\") { id } }".formatted(ids.get(499)))
                .at("/webhooks").forEach(webhook -> ids.add(webhook.at("/id").asText()));
        assertEquals(1_000, ids.size());
        for (int page = 1; page < 10; page++) {
            afters.add(ids.get(page * 100 - 1));
        }
        StringBuilder paged = new StringBuilder("{");
        for (int i = 0; i < 10; i++) {
            paged.append(" p").append(i).append(": webhooks(limit: 100")
                    .append(afters.get(i) == null ? "" : ", after: \"" + afters.get(i) + "\"")
                    .append(") { id health { successRate1h pending inFlight lastError } }");
        }
        started = System.nanoTime();
        JsonNode answered = herald.data(hoarder.key(), paged.append(" }").toString());
        long answeredIn = millisSince(started);
        int seen = 0;
        for (int i = 0; i < 10; i++) {
            seen += answered.at("/p" + i).size();
        }
        System.out.printf("HOSTILE health of 1,000 webhooks: ten aliases refused in %d ms, ten pages answered in %d ms%n",
                refusedIn, answeredIn);
        assertEquals(1_000, seen);
        assertTrue(answeredIn < 1_000, "answered in " + answeredIn + " ms");
        assertTrue(herald.logLines("OutOfMemoryError").isEmpty(), "within the replica's 256 MB heap");
    }

    @Test
    void listsCarryNoSecretsAndACiphertextCopiedToAnotherWebhookDoesNotOpen() throws Exception {
        Herald.Tenant tenant = herald.newTenant("secrets");
        try (Receiver receiver = new Receiver()) {
            long original = herald.newWebhook(tenant, receiver.url("/original"));
            long copy = herald.newWebhook(tenant, receiver.url("/copy"));
            JsonNode listed = herald.data(tenant.key(), "{ webhooks { id secret } }").at("/webhooks");
            listed.forEach(webhook -> assertTrue(webhook.get("secret").isNull(), listed.toString()));
            assertTrue(herald.data(tenant.key(), "{ webhookSecret(webhookId: \"%d\") { secret } }".formatted(original))
                    .at("/webhookSecret/secret").asText().startsWith("whsec_"));
            database.execute("UPDATE webhook SET secret = (SELECT secret FROM webhook WHERE id = " + original
                    + ") WHERE id = " + copy);
            JsonNode refused = herald.graphql(tenant.key(), "{ webhookSecret(webhookId: \"%d\") { secret } }"
                    .formatted(copy));
            assertEquals("UNREADABLE_SECRET", refused.at("/errors/0/extensions/classification").asText(),
                    refused.toString());
            assertTrue(refused.at("/errors/0/message").asText().contains("copied from another row"), refused.toString());
        }
    }

    @Test
    void refusalsAreCleanAndWriteNothing() throws Exception {
        Herald.Tenant tenant = herald.newTenant("refusals");
        Map<String, String> withKey = Map.of("Content-Type", "application/json", "x-api-key", tenant.key());
        byte[] event = ("{\"providerId\": " + tenant.provider() + "}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> utf16 = herald.post("/v1/events", new String(event, StandardCharsets.UTF_8)
                .getBytes(StandardCharsets.UTF_16), withKey);
        assertEquals(415, utf16.statusCode(), utf16.body());
        assertTrue(json(utf16).get("message").asText().startsWith("body: must be JSON in UTF-8"), utf16.body());
        assertFalse(utf16.body().contains("Exception"), utf16.body());

        HttpResponse<String> untyped = herald.post("/v1/events", event, Map.of("x-api-key", tenant.key()));
        assertEquals(415, untyped.statusCode());
        assertTrue(json(untyped).get("message").asText().startsWith("Content-Type:"), untyped.body());

        HttpResponse<String> malformed = herald.post("/v1/events", "{\"providerId\": ".getBytes(StandardCharsets.UTF_8),
                withKey);
        assertEquals(400, malformed.statusCode());
        assertFalse(malformed.body().contains("Source") || malformed.body().contains("REDACTED"), malformed.body());
        HttpResponse<String> malformedGraphQL = herald.post("/graphql", "{\"query\": ".getBytes(StandardCharsets.UTF_8),
                withKey);
        assertFalse(malformedGraphQL.body().contains("Source") || malformedGraphQL.body().contains("REDACTED"),
                malformedGraphQL.body());

        HttpResponse<String> emptyKey = herald.post("/v1/events", event, Map.of("Content-Type", "application/json",
                "x-api-key", tenant.key(), "Idempotency-Key", ""));
        assertEquals(400, emptyKey.statusCode(), emptyKey.body());

        JsonNode nul = herald.graphql(tenant.key(),
                "mutation { createProvider(createProviderInput: {name: \"a\\u0000b\", channelType: 1}) { providerId } }");
        assertEquals("name: must not hold control characters (found U+0000)", nul.at("/errors/0/message").asText(),
                nul.toString());

        JsonNode missing = herald.graphql(tenant.key(), "mutation { replayDelivery(deliveryId: \"424242\") { id } }");
        assertEquals("NOT_FOUND", missing.at("/errors/0/extensions/classification").asText(), missing.toString());

        JsonNode two = herald.graphql(tenant.key(), """
                mutation {
                  a: webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/a"}) { id secret }
                  b: webhook(createWebhookInput: {providerId: 999999, webhookUrl: "https://example.com/b"}) { id }
                }""".formatted(tenant.provider()));
        assertTrue(two.at("/data/a/secret").asText().startsWith("whsec_"), two.toString());
        assertTrue(two.at("/data/b").isNull(), two.toString());
        assertEquals(0, database.queryLong("SELECT count(*) FROM event WHERE provider_id = " + tenant.provider()));
    }
}
