package dev.herald.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Management;
import dev.herald.testing.Receiver;
import dev.herald.testing.Receiver.Behaviour;
import dev.herald.testing.TestHostResolver;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class MetricsTest {

    @Inject
    Database database;

    @Test
    void deliveriesAttemptsLatencyAndIngestAreCountedWithoutPerWebhookLabels() throws Exception {
        String key = GraphQL.newApplication("metrics");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            receiver.answerOnce("/flaky", new Behaviour(503, Duration.ZERO));
            GraphQL.newWebhook(key, provider, receiver.url("/flaky"));
            TestHostResolver.answer("internal.herald.test", "10.0.0.1");
            GraphQL.newWebhook(key, provider, "http://internal.herald.test/hook");
            database.finishEveryDelivery(); // other tests' retries would be counted in the deltas below
            Map<String, Double> before = scrape();

            Events.post(key, Events.notification(1, provider));
            receiver.await("/flaky", r -> r.size() == 2, Duration.ofSeconds(15));
            database.awaitCount("all_deliveries d JOIN webhook w ON w.id = d.webhook_id WHERE d.status IN (2, 3)"
                    + " AND w.provider_id = " + provider, 2, Duration.ofSeconds(15));
            Map<String, Double> after = awaitScrape(m -> delta(before, m, "herald_deliveries_total{outcome=\"delivered\"}") >= 1);

            assertEquals(1, delta(before, after, "herald_deliveries_total{outcome=\"delivered\"}"));
            assertEquals(1, delta(before, after, "herald_deliveries_total{outcome=\"failed\"}"));
            assertEquals(1, delta(before, after, "herald_delivery_attempts_total{result=\"success\"}"));
            assertEquals(1, delta(before, after, "herald_delivery_attempts_total{result=\"http_5xx\"}"));
            assertEquals(1, delta(before, after, "herald_delivery_attempts_total{result=\"blocked\"}"));
            assertEquals(1, delta(before, after, "herald_ingest_events_total"));
            assertEquals(1, delta(before, after, "herald_delivery_latency_seconds_count"));
            assertTrue(delta(before, after, "herald_delivery_latency_seconds_sum") >= 4.0,
                    "latency runs from acceptance to the 2xx, across the 4 s retry wait");
            assertEquals(2, delta(before, after, "herald_attempt_duration_seconds_count"));
        }
        // no series of any library may name a webhook either
        String text = given().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        text.lines().filter(line -> !line.startsWith("#")).forEach(line -> {
            assertFalse(line.contains("webhook") || line.contains("127.0.0.1:"), line);
        });
    }

    @Test
    void databaseGaugesReportTheBacklogAndTheEndpoints() throws Exception {
        String key = GraphQL.newApplication("gauges");
        int provider = GraphQL.newProvider(key, "smtp");
        String inactive = GraphQL.newWebhook(key, provider, "http://127.0.0.1:9/off");
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }".formatted(inactive));
        long active = database.count("webhook WHERE status = 1");
        long off = database.count("webhook WHERE status = 0");
        Map<String, Double> scraped = awaitScrape(m -> m.getOrDefault("herald_endpoints{state=\"inactive\"}", -1.0) == off);
        assertEquals(active, scraped.get("herald_endpoints{state=\"active\"}").longValue());
        assertTrue(scraped.containsKey("herald_outbox_backlog"));
        assertTrue(scraped.containsKey("herald_outbox_oldest_pending_age_seconds"));
    }

    @Test
    void healthSaysLiveAndReadyWithTheDispatcherRunning() {
        given().get(Management.url("/q/health/live")).then().statusCode(200);
        String ready = given().get(Management.url("/q/health/ready")).then().statusCode(200).extract().asString();
        assertTrue(ready.contains("\"dispatcher\"") && ready.contains("\"UP\""), ready);
        assertTrue(ready.contains("Reactive PostgreSQL connections health check"), ready);
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        return after.getOrDefault(series, 0.0) - before.getOrDefault(series, 0.0);
    }

    private static Map<String, Double> awaitScrape(java.util.function.Predicate<Map<String, Double>> ready) {
        return await("the metrics showing it").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(MetricsTest::scrape, ready);
    }

    /** herald_* series of /q/metrics, name with labels as printed, to value. */
    static Map<String, Double> scrape() {
        Map<String, Double> series = new java.util.HashMap<>();
        Pattern line = Pattern.compile("^(herald_\\S+) (\\S+)$");
        given().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString().lines().forEach(l -> {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                series.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        });
        return series;
    }
}
