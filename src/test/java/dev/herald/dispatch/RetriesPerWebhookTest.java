package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.Receiver.Received;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Row;

/**
 * A webhook's own retry schedule, jitter and timeout, against real loopback receivers; the deployment's schedule in
 * this profile is the seed's 4 s, 8 s, 10 s and its timeout 30 s, so a webhook's own figures show in the timing.
 */
@QuarkusTest
class RetriesPerWebhookTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Test
    void aWebhooksOwnScheduleSetsItsWaitsAndItsNumberOfAttempts() throws Exception {
        receiver.answer("/down", 500, Duration.ZERO);
        String webhook = webhook("/down", "retrySchedule: [\"1s\", \"2s\"]");
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND attempt_count = 3 AND webhook_id = " + webhook, 1,
                Duration.ofSeconds(15));
        List<Received> attempts = receiver.at("/down");
        assertEquals(3, attempts.size(), "the first attempt and one per wait");
        long first = Duration.between(attempts.get(0).at(), attempts.get(1).at()).toMillis();
        long second = Duration.between(attempts.get(1).at(), attempts.get(2).at()).toMillis();
        assertTrue(first >= 900 && first < 3_500, "1 s, not the deployment's 4 s: " + first + " ms");
        assertTrue(second >= 1_900 && second < 6_000, "2 s, not the deployment's 8 s: " + second + " ms");
    }

    @Test
    void aWebhooksOwnTimeoutEndsItsAttempts() throws Exception {
        receiver.answer("/hangs", 200, Duration.ofSeconds(8));
        String webhook = webhook("/hangs", "timeout: \"1s\", retrySchedule: [\"1s\"]");
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(15));
        Row attempt = database.query("SELECT a.error, a.duration_ms FROM delivery_attempt a JOIN delivery_history h"
                + " ON h.id = a.delivery_id WHERE h.webhook_id = " + webhook + " ORDER BY a.attempt_number LIMIT 1")
                .iterator().next();
        assertEquals("timeout", attempt.getString("error"));
        int duration = attempt.getInteger("duration_ms");
        assertTrue(duration >= 900 && duration < 3_000, "ended after its own 1 s: " + duration + " ms");
    }

    @Test
    void aRetryAfterOnA503IsHonouredUpToTheSchedulesLongestWait() throws Exception {
        receiver.answer("/busy", new Receiver.Behaviour(503, Duration.ZERO, Map.of("Retry-After", "3"), ""));
        String webhook = webhook("/busy", "retrySchedule: [\"1s\", \"1s\"]");
        Events.post(key, Events.notification(1, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + webhook, 1, Duration.ofSeconds(15));
        List<Received> attempts = receiver.at("/busy");
        assertEquals(3, attempts.size());
        long wait = Duration.between(attempts.get(0).at(), attempts.get(1).at()).toMillis();
        // asked for 3 s, the schedule's longest wait is 1 s: it waits 1 s, not 3 (nor 10 minutes, had it asked)
        assertTrue(wait >= 900 && wait < 2_500, "Retry-After bounded by the schedule's longest wait: " + wait + " ms");

        receiver.answer("/patient", new Receiver.Behaviour(503, Duration.ZERO, Map.of("Retry-After", "2"), ""));
        String patient = webhook("/patient", "retrySchedule: [\"1s\", \"3s\"]");
        Events.post(key, Events.notification(2, provider));
        receiver.await("/patient", r -> r.size() >= 2, Duration.ofSeconds(10));
        List<Received> asked = receiver.at("/patient");
        long honoured = Duration.between(asked.get(0).at(), asked.get(1).at()).toMillis();
        assertTrue(honoured >= 1_900, "Retry-After: 2 honoured over the scheduled 1 s: " + honoured + " ms");
        assertEquals(1, database.count("endpoint_state WHERE paused_until IS NOT NULL AND webhook_id = " + patient),
                "the endpoint waited too, as on a 429");
    }

    @Test
    void theSettingsAreShownAndAnEmptyValueGoesBackToTheDeployments() {
        String webhook = webhook("/shown", "retrySchedule: [\"90s\", \"2h\", \"1d\"], retryJitter: 0.2, timeout: \"5s\"");
        JsonPath shown = GraphQL.as(key, "{ webhooks { id retrySchedule retryJitter timeout } }");
        Map<String, Object> row = shown.<Map<String, Object>>getList("data.webhooks").stream()
                .filter(w -> webhook.equals(w.get("id"))).findFirst().orElseThrow();
        assertEquals(List.of("90s", "2h", "1d"), row.get("retrySchedule"));
        assertEquals(0.2f, ((Number) row.get("retryJitter")).floatValue()); // JsonPath reads decimals as floats
        assertEquals("5s", row.get("timeout"));

        JsonPath cleared = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", retrySchedule: [], retryJitter: 0, timeout: ""})
                  { retrySchedule retryJitter timeout } }""".formatted(webhook));
        assertNull(cleared.get("data.updateWebhook.retrySchedule"), cleared.prettify());
        assertNull(cleared.get("data.updateWebhook.retryJitter"));
        assertNull(cleared.get("data.updateWebhook.timeout"));
    }

    @Test
    void settingsOutsideTheRulesAreRefusedNamingTheRuleAndWriteNothing() {
        String before = database.snapshot();
        refused("retrySchedule: [\"4 seconds\"]", "retrySchedule: each duration must be a whole number and a unit");
        refused("retrySchedule: [\"500ms\"]", "retrySchedule: each wait must be at least 1s");
        refused("retrySchedule: [" + "\"1s\", ".repeat(21) + "]", "retrySchedule: must list at most 20 waits");
        refused("retrySchedule: [\"2d\", \"1d\", \"1s\"]", "retrySchedule: its waits must add up to at most 3 days");
        refused("retryJitter: 1.5", "retryJitter: must be a fraction from 0 (no jitter) to 1");
        refused("timeout: \"31s\"", "timeout: must be from 1s to 30s");
        refused("timeout: \"500ms\"", "timeout: must be from 1s to 30s");
        assertEquals(before, database.snapshot(), "a refused registration writes nothing");
    }

    private void refused(String settings, String message) {
        JsonPath answer = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", %s}) { id } }"""
                .formatted(provider, receiver.url("/refused"), settings));
        String error = answer.getString("errors[0].message");
        assertTrue(error != null && error.startsWith(message), settings + " -> " + error);
    }

    private String webhook(String path, String settings) {
        JsonPath answer = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", %s}) { id } }"""
                .formatted(provider, receiver.url(path), settings));
        String id = answer.getString("data.webhook.id");
        assertTrue(id != null, answer.prettify());
        return id;
    }
}
