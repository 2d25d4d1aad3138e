package dev.herald.benchmark;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * End-to-end throughput with the caps raised: events posted to {@code /v1/events}, fanned out, claimed, POSTed to
 * a loopback receiver and recorded. Reports deliveries/s and SQL statements and commits per delivery. Not part
 * of {@code verify}; run it with
 * {@code ./mvnw verify -Dtest=PipelineBenchmark -Dbench=true [-Dbench.events=20000]}.
 */
@Slow
@QuarkusTest
@TestProfile(PipelineBenchmark.CapsRaised.class)
@EnabledIfSystemProperty(named = "bench", matches = "true")
class PipelineBenchmark {

    public static class CapsRaised implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.delivery.max-in-flight-per-endpoint", "100",
                    "herald.delivery.max-per-minute-per-endpoint", "1000000",
                    // the warm-up's 1,000 events empty the default bucket: the measured batches must not wait on it
                    "herald.ingest.max-events-per-second-per-application", "1000000",
                    "quarkus.log.category.\"io.zonky\".level", "WARN");
        }
    }

    private static final int ENDPOINTS = 100;
    private static final int BATCH = 500;

    @Inject
    Database database;

    @Test
    void endToEndThroughput() throws Exception {
        int events = Integer.getInteger("bench.events", 20_000);
        String key = GraphQL.newApplication("bench");
        try (Receiver receiver = new Receiver()) {
            List<Integer> providers = new ArrayList<>();
            for (int i = 0; i < ENDPOINTS; i++) {
                int provider = GraphQL.newProvider(key, "p" + i);
                providers.add(provider);
                GraphQL.newWebhook(key, provider, receiver.url("/e" + i));
            }
            warmUp(key, providers, receiver);
            database.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            database.query("SELECT pg_stat_statements_reset()");
            long commitsBefore = commits();
            int receivedBefore = receiver.total();

            long started = System.nanoTime();
            for (int sent = 0; sent < events; sent += BATCH) {
                StringJoiner batch = new StringJoiner(",", "[", "]");
                for (int i = sent; i < Math.min(events, sent + BATCH); i++) {
                    batch.add(Events.notification(i, providers.get(i % ENDPOINTS)));
                }
                Events.post(key, batch.toString());
            }
            long ingested = System.nanoTime();
            receiver.awaitTotal(receivedBefore + events, Duration.ofMinutes(10));
            awaitAllRecorded();
            long finished = System.nanoTime();

            long statements = database.query("SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements"
                    + " WHERE query NOT LIKE '%pg_stat%' AND query NOT LIKE '%FROM delivery WHERE status IN%'")
                    .iterator().next().getLong(0);
            long commits = commits() - commitsBefore;
            double seconds = (finished - started) / 1e9;
            System.out.printf("%nBENCH events=%d endpoints=%d ingest_s=%.2f total_s=%.2f delivered_per_s=%.0f"
                    + " statements_per_delivery=%.3f commits_per_delivery=%.3f cores=%d%n",
                    events, ENDPOINTS, (ingested - started) / 1e9, seconds, events / seconds,
                    (double) statements / events, (double) commits / events,
                    Runtime.getRuntime().availableProcessors());
            System.out.println(database.query("SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 70)"
                    + " FROM pg_stat_statements ORDER BY calls DESC LIMIT 12").stream()
                    .map(r -> String.format("  %8d  %s", r.getLong(0), r.getString(1))).toList()
                    .stream().reduce("BENCH top statements:", (a, b) -> a + "\n" + b));
            assertEquals(receivedBefore + events, receiver.total());
        }
    }

    private void warmUp(String key, List<Integer> providers, Receiver receiver) throws Exception {
        StringJoiner batch = new StringJoiner(",", "[", "]");
        for (int i = 0; i < 1_000; i++) {
            batch.add(Events.notification(i, providers.get(i % ENDPOINTS)));
        }
        Events.post(key, batch.toString());
        receiver.awaitTotal(1_000, Duration.ofMinutes(2));
        awaitAllRecorded();
    }

    /** Polls every 20 ms: its statements are left out of the counts above, its commits are not. */
    private void awaitAllRecorded() {
        await("every outcome recorded").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> database.count("delivery WHERE status IN (0, 1)") == 0);
    }

    private long commits() {
        return database.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
                .iterator().next().getLong(0);
    }
}
