package dev.herald.operational;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.standardwebhooks.Webhook;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.Receiver.Received;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * Operational events reach a tenant's own receivers through Herald's pipeline: a failing webhook (a run of
 * herald.delivery.failing-after failures, 5 by default), its recovery, a 410 that switches one off, a delivery that
 * failed for good; each signed with the operational webhook's secret, in the Standard Webhooks payload shape, only of
 * the types it subscribed to, visible in the attempt log; and never about an operational webhook itself. Retries are
 * 100 ms apart here, so a delivery fails for good within a second.
 */
@QuarkusTest
@TestProfile(FastFailures.class)
class OperationalEventsTest extends WithReceiver implements LeavesNoDeliveries {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Database database;

    @Test
    void aTenantIsToldItsWebhookFailsRecoversIsSwitchedOffAndADeliveryFailedForGood() throws Exception {
        JsonPath all = createOperational(receiver.url("/ops"), List.of("webhook.failing", "webhook.recovered",
                "webhook.disabled", "delivery.exhausted"));
        String ops = all.getString("data.createOperationalWebhook.id");
        String secret = all.getString("data.createOperationalWebhook.secret");
        assertTrue(all.getBoolean("data.createOperationalWebhook.operational"), all.prettify());
        String onlyExhausted = createOperational(receiver.url("/exhausted-only"), List.of("delivery.exhausted"))
                .getString("data.createOperationalWebhook.id");

        receiver.answer("/flaky", 500, Duration.ZERO);
        String flaky = GraphQL.newWebhook(key, provider, receiver.url("/flaky"));

        // one event: four attempts fail, the delivery fails for good (4 failures: no run of 5 yet)
        long first = Events.post(key, Events.notification(1, provider)).get(0);
        List<Received> exhausted = receiver.await("/ops", got -> got.size() >= 1, WAIT);
        JsonPath event = verified(exhausted.get(0), secret);
        assertEquals("delivery.exhausted", event.getString("type"));
        assertTrue(Instant.parse(event.getString("timestamp")).isAfter(Instant.now().minusSeconds(60)));
        assertEquals(flaky, event.getString("data.webhookId"));
        assertEquals(provider, event.getInt("data.providerId"));
        assertEquals(Long.toString(first), event.getString("data.eventId"));
        assertEquals(4, event.getInt("data.attempts"));
        assertEquals(500, event.getInt("data.lastStatusCode"));
        assertEquals("http_500", event.getString("data.lastError"));
        receiver.await("/exhausted-only", got -> got.size() == 1, WAIT);

        // a second event: the fifth failure in a row announces the run of failures, once
        Events.post(key, Events.notification(2, provider));
        List<Received> failing = receiver.await("/ops", got -> types(got, secret).contains("webhook.failing"), WAIT);
        JsonPath announced = failing.stream().map(got -> verified(got, secret))
                .filter(body -> body.getString("type").equals("webhook.failing")).findFirst().orElseThrow();
        assertEquals(flaky, announced.getString("data.webhookId"));
        assertTrue(announced.getInt("data.consecutiveFailures") >= 5, announced.prettify());
        assertEquals("http_500", announced.getString("data.lastError"));
        assertNotNull(Instant.parse(announced.getString("data.failingSince")));
        receiver.await("/ops", got -> types(got, secret).stream().filter("delivery.exhausted"::equals).count() == 2,
                WAIT);

        // its owner switches it off and on: a new run of failures begins, and is announced in its turn
        for (int status : new int[] { 0, 1 }) {
            assertNull(GraphQL.as(key, """
                    mutation { updateWebhook(updateWebhookInput: {id: "%s", status: %d}) { id } }"""
                    .formatted(flaky, status)).get("errors"));
        }
        Events.post(key, Events.notification(5, provider));
        Events.post(key, Events.notification(6, provider));
        List<Received> again = receiver.await("/ops",
                got -> types(got, secret).stream().filter("webhook.failing"::equals).count() == 2, WAIT);
        JsonPath second = again.stream().map(got -> verified(got, secret))
                .filter(body -> body.getString("type").equals("webhook.failing")).skip(1).findFirst().orElseThrow();
        // announced to the second: a run that began within the first's second shows the same time
        assertFalse(Instant.parse(second.getString("data.failingSince"))
                .isBefore(Instant.parse(announced.getString("data.failingSince"))), second.prettify());
        receiver.await("/ops", got -> types(got, secret).stream().filter("delivery.exhausted"::equals).count() == 4,
                WAIT);

        // the receiver answers again: the next success announces the recovery
        receiver.answer("/flaky", 200, Duration.ZERO);
        Events.post(key, Events.notification(3, provider));
        List<Received> recovered = receiver.await("/ops",
                got -> types(got, secret).contains("webhook.recovered"), WAIT);
        JsonPath back = recovered.stream().map(got -> verified(got, secret))
                .filter(body -> body.getString("type").equals("webhook.recovered")).findFirst().orElseThrow();
        assertEquals(flaky, back.getString("data.webhookId"));
        assertEquals(second.getString("data.failingSince"), back.getString("data.failingSince"));

        // a 410 switches a webhook off: announced with its reason
        receiver.answer("/gone", 410, Duration.ZERO);
        String gone = GraphQL.newWebhook(key, provider, receiver.url("/gone"));
        Events.post(key, Events.notification(4, provider));
        List<Received> disabled = receiver.await("/ops", got -> types(got, secret).contains("webhook.disabled"), WAIT);
        JsonPath off = disabled.stream().map(got -> verified(got, secret))
                .filter(body -> body.getString("type").equals("webhook.disabled")).findFirst().orElseThrow();
        assertEquals(gone, off.getString("data.webhookId"));
        assertEquals("gone", off.getString("data.reason"));
        assertTrue(off.getString("data.disabledReason").startsWith("the receiver answered 410 Gone"), off.prettify());

        // each type once per happening, and the webhook subscribed to one type got only that one
        assertEquals(List.of("delivery.exhausted", "delivery.exhausted", "delivery.exhausted", "delivery.exhausted",
                "webhook.disabled", "webhook.failing", "webhook.failing", "webhook.recovered"),
                types(receiver.at("/ops"), secret).stream().sorted().toList());
        assertEquals(4, receiver.at("/exhausted-only").size());

        // the operational deliveries are in the attempt log like any other
        JsonPath log = GraphQL.as(key, """
                { deliveries(webhookId: "%s") { totalCount items { status } } }""".formatted(ops));
        assertEquals(8, log.getInt("data.deliveries.totalCount"), log.prettify());
        assertEquals(4, GraphQL.as(key, """
                { deliveries(webhookId: "%s") { totalCount } }""".formatted(onlyExhausted))
                .getInt("data.deliveries.totalCount"));
    }

    @Test
    void anOperationalReceiverThatFailsIsNotToldAboutItself() throws Exception {
        receiver.answer("/ops-down", 500, Duration.ZERO);
        String opsDown = createOperational(receiver.url("/ops-down"), List.of("webhook.failing", "webhook.disabled",
                "webhook.recovered", "delivery.exhausted")).getString("data.createOperationalWebhook.id");
        receiver.answer("/down", 500, Duration.ZERO);
        GraphQL.newWebhook(key, provider, receiver.url("/down"));

        // two deliveries to /down fail for good, and its run of eight failures is announced: three operational
        // events, each failed for good at /ops-down in turn, a run of twelve failures
        Events.post(key, Events.notification(1, provider));
        Events.post(key, Events.notification(2, provider));
        database.awaitCount("delivery_history WHERE status = 3 AND webhook_id = " + opsDown, 3, WAIT);
        database.awaitCount("endpoint_health WHERE consecutive_failures = 12 AND webhook_id = " + opsDown, 1, WAIT);
        assertEquals(12, receiver.at("/ops-down").size());

        // none of that is announced: the application's operational events are still the three about /down
        database.awaitHealthFoldedIn();
        assertEquals(List.of("delivery.exhausted", "delivery.exhausted", "webhook.failing"), strings(database.query("""
                SELECT e.event_type FROM event e JOIN provider p ON p.id = e.provider_id
                 WHERE p.operational AND p.application_id = (SELECT o.application_id FROM provider o WHERE o.id = %d)
                 ORDER BY e.event_type""".formatted(provider))));
        assertEquals(0, database.count("event WHERE payload::jsonb -> 'data' ->> 'webhookId' = '" + opsDown + "'"));
    }

    @Test
    void badSubscriptionsAreRefusedNamingTheRuleAndTheOperationalProviderStaysHeralds() {
        JsonPath unknown = createOperational(receiver.url("/ops"), List.of("webhook.failing", "webhook.exploded"));
        assertTrue(unknown.getString("errors[0].message").contains("eventTypes: each value must be one of"),
                unknown.prettify());
        JsonPath empty = createOperational(receiver.url("/ops"), List.of());
        assertTrue(empty.getString("errors[0].message").contains("eventTypes: must list at least one of"),
                empty.prettify());
        JsonPath badUrl = createOperational("ftp://127.0.0.1/ops", List.of("webhook.failing"));
        assertTrue(badUrl.getString("errors[0].message").contains("webhookUrl"), badUrl.prettify());
        assertEquals(0, GraphQL.as(key, "{ webhooks { id } }").getList("data.webhooks").size(), "nothing written");

        String ops = createOperational(receiver.url("/ops"), List.of("delivery.exhausted"))
                .getString("data.createOperationalWebhook.id");
        int operationalProvider = GraphQL.as(key, "{ webhooks { id providerId } }")
                .getInt("data.webhooks.find { it.id == '" + ops + "' }.providerId");

        // the operational provider is not listed, takes no event from producers and no provider webhook
        assertEquals(List.of(provider), GraphQL.as(key, "{ providers { providerId } }")
                .getList("data.providers.providerId"));
        int refused = RestAssured.given().header("x-api-key", key).contentType("application/json")
                .body(Events.notification(1, operationalProvider)).post("/v1/events").statusCode();
        assertEquals(404, refused, "as a provider it does not have");
        JsonPath onIt = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"}) { id } }"""
                .formatted(operationalProvider, receiver.url("/sneaky")));
        assertNotNull(onIt.get("errors"), onIt.prettify());

        // a portal token cannot name the operational provider; an operational webhook takes no notification filter
        JsonPath portal = GraphQL.as(key, """
                mutation { createPortalToken(providerId: %d, access: READ, ttl: "1h") { token } }"""
                .formatted(operationalProvider));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(portal), portal.prettify());
        JsonPath filtered = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", channelTypes: [1]}) { id } }""".formatted(ops));
        assertTrue(filtered.getString("errors[0].message").startsWith(
                "channelTypes: an operational webhook takes no notification filter"), filtered.prettify());

        // at most five operational webhooks an application
        for (int i = 2; i <= 5; i++) {
            assertNull(createOperational(receiver.url("/ops" + i), List.of("webhook.failing")).get("errors"));
        }
        JsonPath sixth = createOperational(receiver.url("/ops6"), List.of("webhook.failing"));
        assertTrue(sixth.getString("errors[0].message").startsWith(
                "webhookUrl: the application has 5 operational webhooks"), sixth.prettify());

        // an operational webhook subscribes to operational types only
        JsonPath changed = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", eventTypes: ["webhook.failing", "webhook.failing",
                  "delivery.exhausted"]}) { eventTypes } }""".formatted(ops));
        assertEquals(List.of("delivery.exhausted", "webhook.failing"),
                changed.getList("data.updateWebhook.eventTypes"), changed.prettify());
        GraphQL.newWebhook(key, provider, receiver.url("/plain"));
        JsonPath notOperational = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", eventTypes: ["order.*"]}) { id } }"""
                .formatted(ops));
        assertTrue(notOperational.getString("errors[0].message").startsWith(
                "eventTypes: each value must be one of webhook.failing"), notOperational.prettify());
        assertNull(GraphQL.as(key, "{ webhooks(providerId: %d) { eventTypes } }".formatted(provider))
                .get("data.webhooks[0].eventTypes"));
        assertFalse(GraphQL.as(key, "{ webhooks(providerId: %d) { operational } }".formatted(provider))
                .getBoolean("data.webhooks[0].operational"));
    }

    private JsonPath createOperational(String url, List<String> types) {
        return GraphQL.as(key, """
                mutation($input: CreateOperationalWebhookInput!) {
                  createOperationalWebhook(createOperationalWebhookInput: $input) { id secret operational eventTypes }
                }""", Map.of("input", Map.of("webhookUrl", url, "eventTypes", types)));
    }

    /** The body, after the official Standard Webhooks verifier accepted its signature. */
    private static JsonPath verified(Received got, String secret) {
        try {
            new Webhook(secret).verify(got.bodyText(), got.headerLists());
        } catch (Exception e) {
            throw new AssertionError("signature refused: " + got.bodyText(), e);
        }
        return JsonPath.from(got.bodyText());
    }

    private static List<String> strings(Iterable<io.vertx.mutiny.sqlclient.Row> rows) {
        return java.util.stream.StreamSupport.stream(rows.spliterator(), false).map(row -> row.getString(0)).toList();
    }

    private static List<String> types(List<Received> received, String secret) {
        return received.stream().map(got -> verified(got, secret).getString("type")).toList();
    }
}
