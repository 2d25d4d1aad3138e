package dev.herald.attempt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.dispatch.UnreadableSecrets;
import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.LogCapture;
import dev.herald.testing.Slow;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;

/**
 * {@code Webhook.responseTimes}: per minute of the last hour, the median and 99th percentile of the durations of the
 * attempts that reached the webhook's receiver, read from the attempt log.
 */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class ResponseTimesTest extends WithReceiver implements LeavesNoDeliveries {

    private static final String QUERY = """
            { webhooks(limit: 10) { id health { minutes { minute } }
              responseTimes { minute attempts p50Ms p99Ms } } }""";

    @Inject
    Database database;

    @Test
    void eachMinuteHasTheMedianAndP99OfTheAttemptsThatReachedTheReceiver() throws Exception {
        receiver.answer("/slow", 200, Duration.ofMillis(300));
        receiver.answer("/failing", 500, Duration.ZERO);
        receiver.answer("/never", 500, Duration.ZERO);
        int slowProvider = provider;
        int failingProvider = GraphQL.newProvider(key, "failing");
        int neverProvider = GraphQL.newProvider(key, "never");
        String slow = GraphQL.newWebhook(key, slowProvider, receiver.url("/slow"));
        String failing = GraphQL.newWebhook(key, failingProvider, receiver.url("/failing"));
        String never = GraphQL.newWebhook(key, neverProvider, receiver.url("/never"));
        // a secret that does not open with this key: every attempt is unsendable, no request leaves
        database.query("UPDATE webhook SET secret = 'enc:v1:" + "A".repeat(40) + "' WHERE id = " + never);

        // the unreadable secret's ERROR is provoked on purpose: taken here, so a green run prints none
        try (LogCapture log = LogCapture.of(UnreadableSecrets.class)) {
            Events.post(key, Events.notifications(5, slowProvider));
            Events.post(key, Events.notification(1, failingProvider));
            Events.post(key, Events.notification(2, neverProvider));
            database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + slow, 5, Duration.ofSeconds(20));
            database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + failing, 1,
                    Duration.ofSeconds(10));
            database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + never, 1, Duration.ofSeconds(10));
            assertEquals(1, log.atLeast(Level.SEVERE).size(), "the unreadable secret, logged once");
        }

        JsonPath answer = GraphQL.as(key, QUERY);
        assertNull(answer.get("errors"), answer.prettify());
        List<Map<String, Object>> slowMinutes = minutesOf(answer, slow);
        assertEquals(60, slowMinutes.size());
        String lastHealthMinute = answer.getString("data.webhooks.find { it.id == '" + slow
                + "' }.health.minutes[-1].minute");
        assertEquals(lastHealthMinute, slowMinutes.get(59).get("minute"), "the minutes of the attempts chart");
        for (int i = 1; i < 60; i++) {
            assertEquals(Instant.parse((String) slowMinutes.get(i - 1).get("minute")).plusSeconds(60),
                    Instant.parse((String) slowMinutes.get(i).get("minute")), "one minute after another");
        }

        assertEquals(5, attempts(slowMinutes));
        Map<Long, List<Integer>> durations = durationsByMinute(slow);
        for (Map<String, Object> minute : slowMinutes) {
            List<Integer> measured = durations.get(Instant.parse((String) minute.get("minute")).getEpochSecond() / 60);
            if (measured == null) {
                assertEquals(0, minute.get("attempts"), minute.toString());
                assertNull(minute.get("p50Ms"));
                assertNull(minute.get("p99Ms"));
                continue;
            }
            assertEquals(measured.size(), minute.get("attempts"), minute.toString());
            double p50 = ((Number) minute.get("p50Ms")).doubleValue();
            double p99 = ((Number) minute.get("p99Ms")).doubleValue();
            assertTrue(p50 >= 300, "the receiver took 300 ms: " + minute);
            // JSON numbers are read as floats here: equal to a thousandth of a millisecond
            assertEquals(percentile(measured, 0.5), p50, 1e-3, minute.toString());
            assertEquals(percentile(measured, 0.99), p99, 1e-3, minute.toString());
        }

        assertEquals(4, attempts(minutesOf(answer, failing)), "each failed attempt answered, and counts");
        List<Map<String, Object>> neverMinutes = minutesOf(answer, never);
        assertEquals(0, attempts(neverMinutes), "requests Herald could not make say nothing about the receiver");
        assertTrue(neverMinutes.stream().allMatch(m -> m.get("p50Ms") == null));
    }

    @Test
    void aDeliveryMadeLongBeforeTheHourIsNotLookedAt() throws Exception {
        receiver.answer("/waited", 200, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/waited"));
        Events.post(key, Events.notifications(2, provider));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 2, Duration.ofSeconds(10));
        assertEquals(2, attempts(minutesOf(GraphQL.as(key, QUERY), webhook)));

        // as if one of them had waited in a backlog for three hours: its log row is not read
        database.query("UPDATE delivery_log SET created_at = created_at - interval '3 hours' WHERE delivery_id = (SELECT"
                + " min(delivery_id) FROM delivery_log WHERE webhook_id = " + webhook + ")");
        assertEquals(1, attempts(minutesOf(GraphQL.as(key, QUERY), webhook)));
    }

    /** An attempt counts in the minute it started, though its delivery still waits for its retry. */
    @Test
    void anAttemptOfADeliveryStillRetriedCounts() throws Exception {
        receiver.answer("/retried", 500, Duration.ZERO);
        JsonPath made = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", retrySchedule: ["1h"]}) { id } }"""
                .formatted(provider, receiver.url("/retried")));
        String webhook = made.getString("data.webhook.id");
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_attempt WHERE webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        assertEquals(1, database.count("delivery WHERE status = 0 AND webhook_id = " + webhook),
                "the delivery waits for its retry, an hour away");

        assertEquals(1, attempts(minutesOf(GraphQL.as(key, QUERY), webhook)));
    }

    @Test
    void onlyItsOwnerSeesAWebhooksResponseTimes() {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/mine"));
        JsonPath other = GraphQL.as(GraphQL.newApplication("someone else"), QUERY);
        assertNull(other.get("errors"), other.prettify());
        assertTrue(other.getList("data.webhooks.id").stream().noneMatch(webhook::equals), other.prettify());
        JsonPath admin = GraphQL.as(GraphQL.ADMIN_KEY, QUERY);
        assertEquals("FORBIDDEN", GraphQL.errorClassification(admin), admin.prettify());
    }

    private static List<Map<String, Object>> minutesOf(JsonPath answer, String webhook) {
        return answer.getList("data.webhooks.find { it.id == '" + webhook + "' }.responseTimes");
    }

    private static int attempts(List<Map<String, Object>> minutes) {
        return minutes.stream().mapToInt(m -> (Integer) m.get("attempts")).sum();
    }

    /** The webhook's attempt durations by the minute they started, straight from the attempt log. */
    private Map<Long, List<Integer>> durationsByMinute(String webhook) {
        Map<Long, List<Integer>> byMinute = new TreeMap<>();
        for (Row row : database.query("SELECT herald_minute(a.attempted_at) AS minute, a.duration_ms"
                + " FROM delivery_attempt a JOIN delivery_history h ON h.id = a.delivery_id WHERE h.webhook_id = "
                + webhook)) {
            byMinute.computeIfAbsent(row.getLong("minute"), m -> new ArrayList<>()).add(row.getInteger("duration_ms"));
        }
        return byMinute;
    }

    /** PostgreSQL's percentile_cont: linear interpolation between the two closest ranks. */
    private static double percentile(List<Integer> values, double fraction) {
        List<Integer> sorted = values.stream().sorted().toList();
        double rank = fraction * (sorted.size() - 1);
        int below = (int) Math.floor(rank);
        int above = (int) Math.ceil(rank);
        return sorted.get(below) + (rank - below) * (sorted.get(above) - sorted.get(below));
    }
}
