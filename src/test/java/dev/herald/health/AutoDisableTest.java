package dev.herald.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.LogCapture;
import dev.herald.testing.Metrics;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A webhook with nothing but failures for {@code herald.delivery.disable-after} (10 s here) is switched off with
 * its reason, counted, logged and announced to its owner's operational webhook; one that succeeds now and then is
 * not; its owner switches it on again.
 */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class AutoDisableTest extends WithReceiver implements LeavesNoDeliveries {

    @Inject
    Database database;

    @Test
    void onlyFailuresForTheWholePeriodSwitchAWebhookOffUntilItsOwnerSwitchesItOn() throws Exception {
        receiver.answer("/down", 500, Duration.ZERO);
        receiver.answer("/flapping", 500, Duration.ZERO);
        String down = GraphQL.newWebhook(key, provider, receiver.url("/down"));
        String flapping = GraphQL.newWebhook(key, provider, receiver.url("/flapping"));
        // the owner's operational webhook hears of it
        assertNull(GraphQL.as(key, """
                mutation { createOperationalWebhook(createOperationalWebhookInput: {webhookUrl: "%s",
                  eventTypes: ["webhook.disabled"]}) { id } }""".formatted(receiver.url("/ops"))).get("errors"));
        double disabledBefore = Metrics.value("herald_endpoints_auto_disabled_total");

        long started = System.nanoTime();
        try (LogCapture log = LogCapture.of(AutoDisable.class)) {
            // an event a second, each one a failure at /down and a success at /flapping, until /down is switched off
            AtomicInteger event = new AtomicInteger();
            await("/down switched off").atMost(Duration.ofSeconds(40)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofSeconds(1)).until(() -> {
                        if (webhook(down).getInt("status") != 1) {
                            return true;
                        }
                        receiver.answerOnce("/flapping", new Receiver.Behaviour(200, Duration.ZERO));
                        Events.post(key, Events.notification(event.getAndIncrement(), provider));
                        return false;
                    });
            assertTrue(System.nanoTime() - started >= Duration.ofSeconds(10).toNanos(), "not before 10 s of failures");
            JsonPath off = webhook(down);
            assertTrue(off.getString("disabledReason").matches(
                    "switched off by Herald: only failures since \\S+Z \\(last error: http_500\\)"), off.prettify());
            assertEquals(1, webhook(flapping).getInt("status"), "a webhook that succeeds now and then stays on");
            assertNull(webhook(flapping).get("disabledReason"));
            assertEquals(disabledBefore + 1, Metrics.value("herald_endpoints_auto_disabled_total"));
            List<String> lines = log.atLeast(Level.INFO).stream().map(LogCapture::message).toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("Webhook " + down + " switched off: only failures since"), lines.get(0));
        }
        JsonPath announced = JsonPath.from(receiver.await("/ops", got -> got.size() == 1, Duration.ofSeconds(10))
                .get(0).bodyText());
        assertEquals("webhook.disabled", announced.getString("type"));
        assertEquals(down, announced.getString("data.webhookId"));
        assertEquals("failing", announced.getString("data.reason"));
        assertEquals(webhook(down).getString("disabledReason"), announced.getString("data.disabledReason"));

        // switched off: nothing more is attempted, new events make no delivery for it
        // (an attempt that was in flight when it was switched off is recorded first)
        database.awaitCount("delivery WHERE status = 1 AND webhook_id = " + down, 0, Duration.ofSeconds(10));
        int attempted = receiver.at("/down").size();
        Events.post(key, Events.notification(1_000, provider));
        receiver.await("/flapping", r -> r.stream().anyMatch(x -> x.bodyText().contains("\"id\":1000")
                || x.bodyText().contains("\"id\": 1000")), Duration.ofSeconds(10));
        await("time enough for the event to reach /down as well, were it on").during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertEquals(attempted, receiver.at("/down").size(), "attempts at /down"));

        // its owner switches it on: the reason is gone and a new run of failures starts from nothing
        JsonPath on = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: 1}) { status disabledReason } }"""
                .formatted(down));
        assertEquals(1, on.getInt("data.updateWebhook.status"));
        assertNull(on.get("data.updateWebhook.disabledReason"));
        Events.post(key, Events.notification(1_001, provider));
        receiver.await("/down", r -> r.size() >= attempted + 4, Duration.ofSeconds(10));
        await("more than one check apart (1 s here)").during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(4))
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                        assertEquals(1, webhook(down).getInt("status"), "one failed delivery is not 10 s of failures"));
    }

    private JsonPath webhook(String id) throws Exception {
        JsonPath answer = GraphQL.as(key, "{ webhooks { id status disabledReason } }");
        assertNull(answer.get("errors"), answer.prettify());
        return JsonPath.from(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                answer.getMap("data.webhooks.find { it.id == '" + id + "' }")));
    }
}
