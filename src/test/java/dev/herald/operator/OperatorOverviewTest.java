package dev.herald.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The admin's queries: {@code operatorOverview} (backlog, rates, endpoints failing most) and {@code applications}. */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class OperatorOverviewTest extends WithReceiver implements LeavesNoDeliveries {

    private static final String OVERVIEW = """
            { operatorOverview { backlog held oldestPendingAgeSeconds backlogReadSecondsAgo deliveredPerMinute
              failedPerMinute failingEndpoints(limit: 100) { webhookId applicationId webhookUrl status
              consecutiveFailures failingSince lastError } } }""";

    @Inject
    Database database;

    @Test
    void theOverviewShowsTheRateAndTheEndpointsFailingLongestFirst() throws Exception {
        receiver.answer("/down", 503, Duration.ZERO);
        receiver.answer("/up", 200, Duration.ZERO);
        String down = GraphQL.newWebhook(key, provider, receiver.url("/down"));
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + down, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }".formatted(down));
        String up = GraphQL.newWebhook(key, provider, receiver.url("/up"));
        Events.post(key, Events.notification(2, provider));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + up, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();

        JsonPath answer = GraphQL.as(GraphQL.ADMIN_KEY, OVERVIEW);
        assertNull(answer.get("errors"), answer.prettify());
        assertTrue(answer.getDouble("data.operatorOverview.deliveredPerMinute") >= 1.0 / (OperatorGraphQL.RATE_MINUTES + 1),
                answer.prettify());
        assertTrue(answer.getDouble("data.operatorOverview.failedPerMinute") >= 4.0 / (OperatorGraphQL.RATE_MINUTES + 1), "the window is 5 to 6 minutes");
        assertNotNull(answer.get("data.operatorOverview.backlog"), "the gauges are read every second in tests");
        assertTrue(answer.getDouble("data.operatorOverview.backlogReadSecondsAgo") < 10);

        List<Map<String, Object>> failing = answer.getList("data.operatorOverview.failingEndpoints");
        for (int i = 1; i < failing.size(); i++) {
            assertTrue((Integer) failing.get(i - 1).get("consecutiveFailures")
                    >= (Integer) failing.get(i).get("consecutiveFailures"), "longest runs first: " + failing);
        }
        Map<String, Object> mine = failing.stream().filter(f -> down.equals(f.get("webhookId"))).findFirst()
                .orElseThrow(() -> new AssertionError("webhook " + down + " is failing: " + failing));
        assertEquals(4, mine.get("consecutiveFailures"));
        assertEquals("http_503", mine.get("lastError"));
        assertEquals(receiver.url("/down"), mine.get("webhookUrl"));
        assertEquals(0, mine.get("status"), "switched off by its owner, still failing");
        assertEquals(applicationOf(provider), mine.get("applicationId"));
        assertTrue(failing.stream().noneMatch(f -> up.equals(f.get("webhookId"))), "a webhook that delivers is not");
    }

    @Test
    void failingEndpointsRefusesALimitOutOfRangeAndOnlyTheAdminSeesTheOverview() {
        JsonPath tooMany = GraphQL.as(GraphQL.ADMIN_KEY,
                "{ operatorOverview { failingEndpoints(limit: 0) { webhookId } } }");
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(tooMany), tooMany.prettify());
        assertEquals("limit: must be between 1 and 100", tooMany.getString("errors[0].message"));

        JsonPath tenant = GraphQL.as(key, "{ operatorOverview { backlog } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(tenant), tenant.prettify());
        JsonPath nobody = GraphQL.as(null, "{ operatorOverview { backlog } }");
        assertEquals("UNAUTHORIZED", GraphQL.errorClassification(nobody), nobody.prettify());
    }

    @Test
    void theAdminListsApplicationsNewestFirstWithoutTheirKeys() {
        String newest = GraphQL.newApplication("listed <b>by name</b>");
        JsonPath answer = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications(limit: 2) { applicationId name apiKey } }");
        assertNull(answer.get("errors"), answer.prettify());
        List<Map<String, Object>> applications = answer.getList("data.applications");
        assertEquals(2, applications.size());
        assertEquals("listed <b>by name</b>", applications.get(0).get("name"));
        assertNull(applications.get(0).get("apiKey"), "keys are shown once, at creation");
        assertTrue((Integer) applications.get(0).get("applicationId") > (Integer) applications.get(1).get("applicationId"));
        assertNotNull(newest);

        JsonPath tenant = GraphQL.as(key, "{ applications { applicationId } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(tenant), tenant.prettify());
        JsonPath huge = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications(limit: 1001) { applicationId } }");
        assertEquals("limit: must be between 1 and 1000", huge.getString("errors[0].message"), huge.prettify());
    }

    @Test
    void theLastHourCountsEachMinutesAttemptsAndTheBacklogTheGaugesRecorded() throws Exception {
        List<Map<String, Object>> before = lastHour();
        String from = (String) before.get(59).get("minute");

        receiver.answer("/down", 503, Duration.ZERO);
        receiver.answer("/up", 200, Duration.ZERO);
        int downProvider = GraphQL.newProvider(key, "down");
        String down = GraphQL.newWebhook(key, downProvider, receiver.url("/down"));
        String up = GraphQL.newWebhook(key, provider, receiver.url("/up"));
        Events.post(key, Events.notification(1, downProvider));
        Events.post(key, Events.notifications(3, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + down, 1, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + up, 3, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();

        List<Map<String, Object>> after = lastHour();
        assertEquals(60, after.size());
        Instant last = Instant.parse((String) after.get(59).get("minute"));
        assertTrue(!last.isAfter(Instant.now()) && last.isAfter(Instant.now().minusSeconds(120)), "now: " + last);
        for (int i = 1; i < 60; i++) {
            assertEquals(Instant.parse((String) after.get(i - 1).get("minute")).plusSeconds(60),
                    Instant.parse((String) after.get(i).get("minute")), "one minute after another, oldest first");
        }
        // what the minutes since the first reading gained is this test's attempts, and at most those that the
        // retries of earlier tests' deliveries ended in those minutes (zero when nothing else runs)
        long othersDelivered = othersEndedSince(from, true, up, down);
        long othersFailed = othersEndedSince(from, false, up, down);
        long delivered = since(after, from, "delivered") - since(before, from, "delivered");
        long failed = since(after, from, "failed") - since(before, from, "failed");
        assertTrue(delivered >= 3 && delivered <= 3 + othersDelivered, delivered + " delivered, " + othersDelivered
                + " of other webhooks: " + after);
        assertTrue(failed >= 4 && failed <= 4 + othersFailed, failed + " failed (four attempts), " + othersFailed
                + " of other webhooks");

        // the gauges (read every second in tests) record each reading as its minute's backlog
        List<Map<String, Object>> recorded = await().atMost(Duration.ofSeconds(5)).until(this::lastHour,
                minutes -> minutes.get(59).get("backlog") != null);
        assertTrue(((Number) recorded.get(59).get("backlog")).longValue() >= 0);
    }

    @Test
    void onlyTheAdminSeesTheLastHour() {
        JsonPath tenant = GraphQL.as(key, "{ operatorOverview { minutes { minute delivered failed backlog } } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(tenant), tenant.prettify());
        assertNull(tenant.get("data.operatorOverview"));
    }

    private List<Map<String, Object>> lastHour() {
        JsonPath answer = GraphQL.as(GraphQL.ADMIN_KEY,
                "{ operatorOverview { minutes { minute delivered failed backlog } } }");
        assertNull(answer.get("errors"), answer.prettify());
        return answer.getList("data.operatorOverview.minutes");
    }

    /** Attempts of webhooks other than these that ended from minute {@code from} on, succeeded or failed. */
    private long othersEndedSince(String from, boolean succeeded, String... webhooks) {
        return database.query("SELECT count(*) FROM delivery_attempt WHERE succeeded = " + succeeded
                + " AND webhook_id <> ALL('{" + String.join(",", webhooks) + "}'::bigint[])"
                + " AND attempted_at + duration_ms * interval '1 millisecond' >= '" + from + "'::timestamptz")
                .iterator().next().getLong(0);
    }

    /** The sum of {@code field} over the minutes from {@code from} (an ISO minute) on. */
    private static long since(List<Map<String, Object>> minutes, String from, String field) {
        return minutes.stream().filter(m -> ((String) m.get("minute")).compareTo(from) >= 0)
                .mapToLong(m -> ((Number) m.get(field)).longValue()).sum();
    }

    private int applicationOf(int providerId) {
        return GraphQL.as(key, "{ providers { providerId applicationId } }")
                .getInt("data.providers.find { it.providerId == " + providerId + " }.applicationId");
    }
}
