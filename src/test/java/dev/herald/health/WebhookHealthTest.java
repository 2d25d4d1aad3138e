package dev.herald.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.dispatch.UnreadableSecrets;
import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.LogCapture;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** {@code Webhook.health}, kept as attempts are recorded, and the minute rings it counts the last hour in. */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class WebhookHealthTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Test
    void healthFollowsFailuresAndSuccesses() throws Exception {
        receiver.answer("/flaky", 500, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/flaky"));
        JsonPath fresh = health(webhook);
        assertNull(fresh.get("successRate1h"), "no attempts yet");
        assertEquals(0, fresh.getInt("consecutiveFailures"));

        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();
        JsonPath failing = health(webhook);
        assertEquals(4, failing.getInt("consecutiveFailures"), failing.prettify());
        assertEquals(0.0, failing.getDouble("successRate1h"));
        assertEquals("http_500", failing.getString("lastError"));
        assertNotNull(failing.getString("lastFailureAt"));
        assertNull(failing.get("lastSuccessAt"));

        receiver.answer("/flaky", 200, Duration.ZERO);
        Events.post(key, Events.notification(2, provider));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();
        JsonPath recovered = health(webhook);
        assertEquals(0, recovered.getInt("consecutiveFailures"));
        assertEquals(0.2, recovered.getDouble("successRate1h"), 1e-9, "1 of 5 attempts");
        assertEquals("http_500", recovered.getString("lastError"), "the last failure's error stays readable");
        assertTrue(Instant.parse(recovered.getString("lastSuccessAt"))
                .isAfter(Instant.parse(recovered.getString("lastFailureAt"))));
        assertEquals(0, database.count("endpoint_health WHERE failing_since IS NOT NULL AND webhook_id = " + webhook));
    }

    @Test
    void pendingAndInFlightAreShownWhileAttemptsRun() throws Exception {
        receiver.answer("/slow", 200, Duration.ofSeconds(2));
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/slow"));
        Events.post(key, Events.notifications(14, provider));
        receiver.await("/slow", r -> r.size() >= 10, Duration.ofSeconds(10));
        JsonPath busy = health(webhook);
        assertEquals(10, busy.getInt("inFlight"), busy.prettify());
        assertEquals(4, busy.getInt("pending"), "the global cap holds the rest back");
        database.awaitCount("delivery_history WHERE webhook_id = " + webhook, 14, Duration.ofSeconds(20));
        database.awaitHealthFoldedIn();
        JsonPath done = health(webhook);
        assertEquals(0, done.getInt("inFlight"));
        assertEquals(0, done.getInt("pending"));
        assertEquals(1.0, done.getDouble("successRate1h"));
    }

    @Test
    void requestsHeraldCouldNotMakeSayNothingAboutTheReceiver() throws Exception {
        receiver.answer("/never", 500, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/never"));
        // a secret that does not open with this key (a wrong encryption key): every attempt is unsendable
        database.query("UPDATE webhook SET secret = 'enc:v1:" + "A".repeat(40) + "' WHERE id = " + webhook);
        try (LogCapture log = LogCapture.of(UnreadableSecrets.class)) {
            Events.post(key, Events.notifications(3, provider));
            database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 3,
                    Duration.ofSeconds(10));
            database.awaitHealthFoldedIn();
            assertEquals(1, log.atLeast(Level.SEVERE).size(), "the unreadable secret is reported, once");
        }
        JsonPath health = health(webhook);
        assertEquals(0, health.getInt("consecutiveFailures"), health.prettify());
        assertNull(health.get("lastFailureAt"), "no attempt reached the receiver");
        assertNull(health.get("successRate1h"));
        assertEquals(0, receiver.at("/never").size());
        assertEquals(0, database.count("endpoint_health WHERE failing_since IS NOT NULL AND webhook_id = " + webhook));
    }

    @Test
    void batchesRecordedOutOfOrderKeepTheRunOfFailuresTheReceiverHad() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/unused"));
        // one replica's failures at :10 and :11 are recorded first, another's older success at :05 after them
        record(webhook, false, "00:00:10");
        record(webhook, false, "00:00:11");
        record(webhook, true, "00:00:05");
        assertRun(webhook, 2, "2026-01-01 00:00:10+00");
        // an older failure (:03, before the stored success) does not start or lengthen the run
        record(webhook, false, "00:00:03");
        assertRun(webhook, 2, "2026-01-01 00:00:10+00");
        // a success between the failures (:10.5) leaves the one after it (:11)
        record(webhook, true, "00:00:10.5");
        assertRun(webhook, 1, "2026-01-01 00:00:11+00");
        // a newer success ends the run; the last error stays the newest one
        record(webhook, true, "00:00:20");
        assertRun(webhook, 0, null);
        assertEquals("http_500 at 00:00:11", database.query(
                "SELECT last_error FROM endpoint_health WHERE webhook_id = " + webhook).iterator().next().getString(0));
    }

    @Test
    void switchingOnAWebhookThatIsOnKeepsItsRunAndSwitchingItBackOnStartsANewOne() throws Exception {
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/unused"));
        record(webhook, false, "00:00:10");
        record(webhook, false, "00:00:11");
        setStatus(webhook, 1);
        assertRun(webhook, 2, "2026-01-01 00:00:10+00");
        setStatus(webhook, 0);
        setStatus(webhook, 1);
        assertRun(webhook, 0, null);
    }

    private void record(String webhook, boolean ok, String time) {
        database.query("SELECT herald_record_health(ARRAY[" + webhook + "]::bigint[], ARRAY[" + ok + "],"
                + " ARRAY['2026-01-01 " + time + "+00']::timestamptz[], ARRAY[" + (ok ? "NULL" : "'http_500 at " + time + "'")
                + "]::text[])");
    }

    private void assertRun(String webhook, int failures, String since) {
        var row = database.query("SELECT consecutive_failures, failing_since IS NOT DISTINCT FROM "
                + (since == null ? "NULL" : "'" + since + "'") + "::timestamptz FROM endpoint_health WHERE webhook_id = "
                + webhook).iterator().next();
        assertEquals(failures, row.getInteger(0), "consecutive failures");
        assertTrue(row.getBoolean(1), "failing since " + since + ": " + database.query(
                "SELECT failing_since FROM endpoint_health WHERE webhook_id = " + webhook).iterator().next().getValue(0));
    }

    private void setStatus(String webhook, int status) {
        JsonPath answer = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: %d}) { status } }"""
                .formatted(webhook, status));
        assertNull(answer.get("errors"), answer.prettify());
    }

    @Test
    void theRingsCountTheLastSixtyMinutesOnly() {
        // minute 1000 gets 3, minute 1030 gets 2, then minute 1061 gets 1: minute 1000 is out of the hour by then
        String ring = "herald_ring_add(herald_ring_add('{}', 0, 1000, 3), 1000, 1030, 2)";
        assertEquals(5, sum(ring, 1030, 1030));
        assertEquals(5, sum(ring, 1030, 1059), "minute 1000 is still in the hour up to 1059");
        assertEquals(2, sum(ring, 1030, 1060), "from 1060 on it is not");
        assertEquals(3, sum("herald_ring_add(" + ring + ", 1030, 1061, 1)", 1061, 1061));
        assertEquals(0, sum("herald_ring_add(" + ring + ", 1030, 1200, 0)", 1200, 1200), "all stale after an hour");
        assertEquals(6, sum("herald_ring_add(" + ring + ", 1030, 1030, 1)", 1030, 1030), "the same minute adds up");
    }

    @Test
    void addingInPlaceGivesWhatRebuildingTheRingGave() {
        // V9's herald_ring_add, inline: each slot kept while its minute is within the hour, n added to the minute's
        // slot; V13 adds in place when the minute is the ring's own. Random rings, same and later minutes.
        long differ = database.query("""
                WITH c AS (SELECT g, ARRAY(SELECT (random() * 9)::int FROM generate_series(1, 60) WHERE g > 0) AS ring,
                                  1000 + g % 7 AS ring_minute
                             FROM generate_series(1, 3000) g),
                     a AS (SELECT c.*, c.ring_minute + (g % 3) * (g % 70) AS at_minute, g % 5 AS n FROM c)
                SELECT count(*) FROM a
                 WHERE herald_ring_add(ring, ring_minute, at_minute, n) IS DISTINCT FROM
                       (SELECT array_agg(CASE WHEN at_minute - herald_ring_slot_minute(ring_minute, i) < 60
                                              THEN coalesce(ring[i + 1], 0) ELSE 0 END
                                         + CASE WHEN i = at_minute % 60 THEN n ELSE 0 END ORDER BY i)
                          FROM generate_series(0, 59) AS i)""").iterator().next().getLong(0);
        assertEquals(0, differ, "rings that differ from the rebuilt ones");
    }

    @Test
    void minutesListTheRingsHourOldestFirstWithoutStaleSlots() {
        // minute 1000 gets 7, minute 1030 gets 5; asked at minute 1060 the hour is 1001..1060
        String ring = "herald_ring_add(herald_ring_add('{}', 0, 1000, 7), 1000, 1030, 5)";
        Object[] minutes = (Object[]) database.query("SELECT herald_ring_minutes(" + ring + ", 1030, 1060)")
                .iterator().next().getValue(0);
        assertEquals(60, minutes.length);
        for (int i = 0; i < 60; i++) {
            // index i is minute 1001 + i: only minute 1030 (index 29) counts; 1000 is out of the hour
            assertEquals(i == 29 ? 5 : 0, ((Number) minutes[i]).intValue(), "minute " + (1001 + i));
        }
        Object[] empty = (Object[]) database.query("SELECT herald_ring_minutes(NULL, NULL, 1060)").iterator().next()
                .getValue(0);
        assertEquals(60, empty.length, "a webhook without a health row has 60 empty minutes");
    }

    @Test
    void minutesShowTheAttemptsOfTheLastHourUpToTheCurrentMinute() throws Exception {
        receiver.answer("/charted", 500, Duration.ZERO);
        String webhook = GraphQL.newWebhook(key, provider, receiver.url("/charted"));
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();
        receiver.answer("/charted", 200, Duration.ZERO);
        Events.post(key, Events.notification(2, provider));
        database.awaitCount("delivery_history WHERE status = 2 AND webhook_id = " + webhook, 1, Duration.ofSeconds(10));
        database.awaitHealthFoldedIn();

        Instant asked = Instant.now();
        java.util.List<Map<String, Object>> minutes = health(webhook).getList("minutes");
        assertEquals(60, minutes.size());
        Instant last = Instant.parse((String) minutes.get(59).get("minute"));
        assertTrue(!last.isAfter(asked) && last.isAfter(asked.minusSeconds(120)), "the last entry is now: " + last);
        for (int i = 1; i < 60; i++) {
            assertEquals(Instant.parse((String) minutes.get(i - 1).get("minute")).plusSeconds(60),
                    Instant.parse((String) minutes.get(i).get("minute")), "consecutive minutes, oldest first");
        }
        assertEquals(1, minutes.stream().mapToInt(m -> (Integer) m.get("succeeded")).sum());
        assertEquals(4, minutes.stream().mapToInt(m -> (Integer) m.get("failed")).sum(), "4 attempts failed");
    }

    /** What the rings' one reader (herald_ring_minutes, behind Webhook.health) counts in the hour up to atMinute. */
    private long sum(String ring, long ringMinute, long atMinute) {
        return database.query("SELECT coalesce(sum(n), 0) FROM unnest(herald_ring_minutes(" + ring + ", " + ringMinute
                + ", " + atMinute + ")) AS n").iterator().next().getLong(0);
    }

    private JsonPath health(String webhook) throws Exception {
        JsonPath answer = GraphQL.as(key, """
                { webhooks { id health { successRate1h lastSuccessAt lastFailureAt lastError consecutiveFailures
                  pending inFlight minutes { minute succeeded failed } } } }""");
        assertNull(answer.get("errors"), answer.prettify());
        Map<String, Object> health = answer.getMap("data.webhooks.find { it.id == '" + webhook + "' }.health");
        return JsonPath.from(new ObjectMapper().writeValueAsString(health));
    }
}
