package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.delivery.CompactJson;
import dev.herald.delivery.Signatures;
import dev.herald.testing.Receiver;

/**
 * The features receivers and producers asked for, end to end through the packaged jar in the production profile
 * against a loopback receiver: idempotent ingest, a webhook's filters, headers, caps and legacy compact body, the
 * trace context, event types and their schemas, its own retries, recovery of what it missed while off, its health,
 * a test event, and auto-disable (after 2 s here),
 * announced to the tenant's operational webhook with the run of failures before it (from the first failure here).
 */
class WebhookFeaturesIT extends FaultTier {

    private static final String INDENTED = """
            {
              "id": %d,
              "providerId": %d,
              "channelType": 1,
              "deliveryStatus": %d,
              "data": { "to": "a@example.com", "amount": 1.0 }
            }""";

    @Test
    void webhookFeaturesWorkThroughThePackagedJar() throws Exception {
        try (Receiver receiver = new Receiver();
                Herald herald = Herald.named("features").with("HERALD_DELIVERY_DISABLE_AFTER", "2s")
                        .with("HERALD_DELIVERY_FAILING_AFTER", "1").start(database)) {
            receiver.answer("/down", 500, Duration.ZERO);
            Herald.Tenant tenant = herald.newTenant("features");
            JsonNode created = herald.data(tenant.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", deliveryStatuses: [5],
                      legacySignatureHeader: "x-oneroute-signature", maxInFlight: 1,
                      headers: [{name: "X-Api-Key", value: "crm-1"}]}) { id secret } }"""
                    .formatted(tenant.provider(), receiver.url("/crm"))).get("webhook");
            long crm = created.get("id").asLong();
            String secret = created.get("secret").asText();

            String delivered = INDENTED.formatted(1, tenant.provider(), 5);
            List<Long> first = herald.postEvents(tenant.key(), delivered, "order-1");
            assertEquals(first, herald.postEvents(tenant.key(), delivered, "order-1"), "a repeat stores nothing");
            herald.postEvents(tenant.key(), INDENTED.formatted(2, tenant.provider(), 6), // filtered out
                    java.util.Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            herald.postEvents(tenant.key(), INDENTED.formatted(4, tenant.provider(), 5),
                    java.util.Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

            List<Receiver.Received> both = receiver.await("/crm", r -> r.size() == 2, Duration.ofSeconds(10));
            Receiver.Received got = both.stream().filter(r -> r.headers().get("traceparent") == null).findFirst()
                    .orElseThrow();
            Receiver.Received traced = both.stream().filter(r -> r.headers().get("traceparent") != null).findFirst()
                    .orElseThrow();
            assertTrue(traced.headers().get("traceparent")
                    .matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01"), "the producer's trace carried");
            assertEquals("crm-1", got.headers().get("X-Api-Key"));
            assertEquals(CompactJson.stringify(delivered), got.bodyText(), "compact for the legacy signature");
            assertEquals(Signatures.legacyHex(secret.getBytes(StandardCharsets.UTF_8), got.body()),
                    got.headers().get("x-oneroute-signature"));

            // the receiver has both, but their outcomes land with the next batch: until then the one slot of
            // maxInFlight 1 is held, and a test event is refused (as it should be)
            awaitNothingInFlight(herald, tenant, crm);
            JsonNode tested = herald.data(tenant.key(), "mutation { sendTestEvent(webhookId: \"%d\") { statusCode } }"
                    .formatted(crm)).get("sendTestEvent");
            assertEquals(200, tested.get("statusCode").asInt());
            assertEquals("true", receiver.at("/crm").get(2).headers().get("webhook-test"));

            // a typed event, checked against its type's schema, reaches the webhook subscribed to its prefix
            herald.data(tenant.key(), """
                    mutation { setEventType(eventTypeInput: {name: "order.created",
                      schema: "{\\"required\\": [\\"amount\\"]}"}) { name } }""");
            long typed = herald.data(tenant.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", eventTypes: ["order.*"]})
                      { id } }""".formatted(tenant.provider(), receiver.url("/typed"))).get("webhook").get("id").asLong();
            String order = "{\"id\": 10, \"providerId\": %d, \"amount\": 5}".formatted(tenant.provider());
            herald.postEvents(tenant.key(), order, java.util.Map.of("Herald-Event-Type", "order.created"));
            var broken = herald.post("/v1/events", order.replace("amount", "total").getBytes(StandardCharsets.UTF_8),
                    java.util.Map.of("x-api-key", tenant.key(), "Content-Type", "application/json",
                            "Herald-Event-Type", "order.created"));
            assertEquals(400, broken.statusCode(), broken.body());
            assertTrue(broken.body().contains("breaks the schema of event type order.created"), broken.body());
            assertEquals(order, receiver.await("/typed", r -> r.size() == 1, Duration.ofSeconds(10)).get(0).bodyText());

            // a webhook's own retries: two more attempts, 1 s apart, then FAILED
            receiver.answer("/retried", 503, Duration.ZERO);
            long retried = herald.data(tenant.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", deliveryStatuses: [4],
                      retrySchedule: ["1s", "1s"], timeout: "2s"}) { id } }"""
                    .formatted(tenant.provider(), receiver.url("/retried"))).get("webhook").get("id").asLong();
            // a webhook that was off recovers what it missed
            long missed = herald.data(tenant.key(), """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s", deliveryStatuses: [4]})
                      { id } }""".formatted(tenant.provider(), receiver.url("/missed"))).get("webhook").get("id")
                    .asLong();
            herald.data(tenant.key(), "mutation { updateWebhook(updateWebhookInput: {id: \"%d\", status: 0}) { id } }"
                    .formatted(missed));
            java.time.Instant beforeMissed = java.time.Instant.now().minusSeconds(1);
            herald.postEvents(tenant.key(), INDENTED.formatted(7, tenant.provider(), 4));
            List<Receiver.Received> attempts = receiver.await("/retried", r -> r.size() == 3, Duration.ofSeconds(10));
            for (int i = 1; i < 3; i++) {
                long gap = Duration.between(attempts.get(i - 1).at(), attempts.get(i).at()).toMillis();
                assertTrue(gap >= 900 && gap < 3_000, "retry gap " + gap + " ms, not the webhook's 1 s");
            }
            herald.data(tenant.key(), "mutation { updateWebhook(updateWebhookInput: {id: \"%d\", status: 1}) { id } }"
                    .formatted(missed));
            assertEquals(0, receiver.at("/missed").size(), "nothing was made for it while it was off");
            JsonNode recovered = herald.data(tenant.key(), "mutation { recoverWebhook(webhookId: \"%d\", since: \"%s\") }"
                    .formatted(missed, beforeMissed));
            assertEquals(1, recovered.get("recoverWebhook").asInt(), recovered.toString());
            receiver.await("/missed", r -> r.size() == 1, Duration.ofSeconds(10));
            assertEquals(3, receiver.at("/retried").size(), "webhook " + retried + " failed for good after 3");

            JsonNode operational = herald.data(tenant.key(), """
                    mutation { createOperationalWebhook(createOperationalWebhookInput: {webhookUrl: "%s",
                      eventTypes: ["webhook.failing", "webhook.disabled"]}) { id secret } }"""
                    .formatted(receiver.url("/ops"))).get("createOperationalWebhook");
            long down = herald.newWebhook(tenant, receiver.url("/down"));
            herald.postEvents(tenant.key(), INDENTED.formatted(3, tenant.provider(), 6)); // for /down only
            JsonNode off = awaitDisabled(herald, tenant, down);
            assertTrue(off.get("disabledReason").asText().startsWith("switched off by Herald: only failures since"),
                    off.toString());
            assertTrue(herald.log().contains("Webhook " + down + " switched off"), herald.log());
            // about /down (a failing run of another webhook may be told too, when it was folded in after /ops came)
            java.util.function.Predicate<Receiver.Received> aboutDown = event -> {
                try {
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.body()).get("data")
                            .get("webhookId").asText().equals(Long.toString(down));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            List<Receiver.Received> told = receiver.await("/ops",
                    r -> r.stream().filter(aboutDown).count() == 2, Duration.ofSeconds(10));
            List<String> types = new java.util.ArrayList<>();
            for (Receiver.Received event : told) {
                new com.standardwebhooks.Webhook(operational.get("secret").asText())
                        .verify(event.bodyText(), event.headerLists());
                if (aboutDown.test(event)) {
                    types.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.body()).get("type")
                            .asText());
                }
            }
            assertEquals(List.of("webhook.failing", "webhook.disabled"), types, "in the order they happened");

            // the database's health is written with each batch of outcomes: once they have landed
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                JsonNode health = webhook(herald, tenant, crm).get("health");
                assertEquals(1.0, health.get("successRate1h").asDouble(), health.toString());
                assertEquals(0, health.get("pending").asInt(), health.toString());
            });
            assertEquals(1, webhook(herald, tenant, crm).get("maxInFlight").asInt());
            assertEquals(1, receiver.at("/typed").size(), "webhook " + typed + " takes no untyped event");
        }
    }

    private static void awaitNothingInFlight(Herald herald, Herald.Tenant tenant, long id) {
        await("nothing of webhook " + id + " in flight").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> webhook(herald, tenant, id),
                        webhook -> webhook.get("health").get("inFlight").asInt() == 0);
    }

    private static JsonNode awaitDisabled(Herald herald, Herald.Tenant tenant, long id) {
        return await("webhook " + id + " switched off").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> webhook(herald, tenant, id), webhook -> webhook.get("status").asInt() == 0);
    }

    private static JsonNode webhook(Herald herald, Herald.Tenant tenant, long id) throws Exception {
        for (JsonNode webhook : herald.data(tenant.key(), """
                { webhooks { id status disabledReason maxInFlight health { successRate1h pending inFlight } } }""")
                .get("webhooks")) {
            if (webhook.get("id").asLong() == id) {
                return webhook;
            }
        }
        throw new AssertionError("no webhook " + id);
    }
}
