package dev.herald.eventtype;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
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
import dev.herald.testing.Receiver.Received;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Event types: a producer tags a request's events with a type of its application's catalogue (the
 * Herald-Event-Type header, or the event_type column of its own INSERT), the type's JSON Schema is checked at ingest,
 * and webhooks take the types they subscribed to, by name or by prefix; untyped events reach only webhooks that
 * subscribed to nothing, as before.
 */
@QuarkusTest
class EventTypesTest extends WithReceiver {

    private static final String ORDER_SCHEMA = """
            {"type": "object", "required": ["id", "amount"],
             "properties": {"amount": {"type": "number", "minimum": 0}, "currency": {"$ref": "#/$defs/currency"}},
             "$defs": {"currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}""";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Database database;

    @Test
    void webhooksTakeTheTypesTheySubscribedToAndPayloadsStayAsSent() {
        setType("order.created", "An order was placed", ORDER_SCHEMA);
        setType("order.paid", null, null);
        String all = GraphQL.newWebhook(key, provider, receiver.url("/all"));
        assertNull(register("/orders", List.of("order.*")).get("errors"));
        assertNull(register("/created", List.of("order.created", "order.created")).get("errors"));

        String created = "{\"id\": 1,  \"providerId\": %d, \"amount\": 12.5, \"currency\": \"EUR\"}".formatted(provider);
        post("order.created", created).then().statusCode(202);
        post("order.paid", "{\"id\": 2, \"providerId\": %d}".formatted(provider)).then().statusCode(202);
        Events.post(key, Events.notification(3, provider)); // untyped, as OsmoX sends
        // the producer's own INSERT tags its event with the column
        database.query("INSERT INTO event (provider_id, payload, event_type) VALUES (%d, '{\"id\": 4}', 'order.paid')"
                .formatted(provider));

        List<Received> toAll = receiver.await("/all", got -> got.size() == 4, WAIT);
        assertEquals(created, toAll.stream().filter(got -> got.bodyText().contains("\"id\": 1,")).findFirst()
                .orElseThrow().bodyText(), "delivered byte for byte");
        List<Received> toOrders = receiver.await("/orders", got -> got.size() == 3, WAIT);
        assertEquals(List.of(1, 2, 4), toOrders.stream().map(got -> JsonPath.from(got.bodyText()).getInt("id"))
                .sorted().toList(), "every order.* event, typed by header or by column; not the untyped one");
        await("no more than the subscribed types").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    assertEquals(List.of(created), receiver.at("/created").stream().map(Received::bodyText).toList());
                    assertEquals(3, receiver.at("/orders").size());
                });
        assertEquals(4, receiver.at("/all").size());

        JsonPath listed = GraphQL.as(key, "{ webhooks { id eventTypes } }");
        assertEquals(List.of(List.of("order.*"), List.of("order.created")), listed.getList(
                "data.webhooks.findAll { it.eventTypes != null }.eventTypes"), "stored distinct");
        assertNull(listed.get("data.webhooks.find { it.id == '" + all + "' }.eventTypes"));
    }

    @Test
    void eventsAreCheckedAgainstTheirTypesSchemaAtIngestAndNothingIsStoredWhenOneFails() {
        setType("order.created", null, ORDER_SCHEMA);
        long before = database.count("event");

        JsonPath negative = post("order.created", "{\"id\": 1, \"providerId\": %d, \"amount\": -3}".formatted(provider))
                .then().statusCode(400).extract().jsonPath();
        assertTrue(negative.getString("message").matches(
                "event: breaks the schema of event type order\\.created: /amount: .*minimum.*"),
                negative.prettify());

        // the second of an array, with an idempotency key (the request goes alone) and without (it is grouped)
        String array = "[{\"id\": 1, \"providerId\": %1$d, \"amount\": 1}, {\"id\": 2, \"providerId\": %1$d,"
                + " \"amount\": 2, \"currency\": \"euro\"}]";
        for (Map<String, String> headers : List.of(Map.of("Idempotency-Key", "k-1"), Map.<String, String>of())) {
            JsonPath second = post("order.created", array.formatted(provider), headers).then().statusCode(400)
                    .extract().jsonPath();
            assertTrue(second.getString("message").startsWith(
                    "[1]: breaks the schema of event type order.created: /currency: "), second.prettify());
        }
        JsonPath missing = post("order.created", "{\"id\": 1, \"providerId\": %d}".formatted(provider)).then()
                .statusCode(400).extract().jsonPath();
        assertTrue(missing.getString("message").matches("event: breaks the schema of event type order\\.created:"
                + " \\(top level\\): .*amount.*"), missing.prettify());

        JsonPath unknown = post("order.shipped", "{\"id\": 1, \"providerId\": %d}".formatted(provider)).then()
                .statusCode(400).extract().jsonPath();
        assertEquals("Herald-Event-Type: \"order.shipped\" is not one of the application's event types"
                + " (setEventType adds it)", unknown.getString("message"));
        JsonPath malformed = post("order..created", "{\"id\": 1, \"providerId\": %d}".formatted(provider)).then()
                .statusCode(400).extract().jsonPath();
        assertTrue(malformed.getString("message").startsWith("Herald-Event-Type: must be an event type name"),
                malformed.prettify());
        assertEquals(before, database.count("event"), "nothing stored");

        // another application's catalogue is its own
        String other = GraphQL.newApplication("other");
        int otherProvider = GraphQL.newProvider(other, "smtp");
        given().header("x-api-key", other).header("Herald-Event-Type", "order.created").contentType(ContentType.JSON)
                .body("{\"id\": 1, \"providerId\": %d}".formatted(otherProvider)).post("/v1/events").then()
                .statusCode(400);
        assertEquals(List.of(), GraphQL.as(other, "{ eventTypes { name } }").getList("data.eventTypes"));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(GraphQL.as(other,
                "mutation { deleteEventType(name: \"order.created\") }")));
    }

    @Test
    void aSchemaMustBeSelfContainedAndAPatternThatBacktracksCostsItsRequestARefusalNotAThread() {
        assertRefused("{\"$ref\": \"https://schemas.example.com/order.json\"}",
                "schema: $ref at # must point inside the schema (# or #/...): Herald fetches nothing");
        assertRefused("{\"properties\": {\"a\": {\"$id\": \"https://schemas.example.com/a\"}}}",
                "schema: $id at #/properties/a is not supported");
        assertRefused("{\"$ref\": \"#/$defs/missing\"}", "schema: $ref #/$defs/missing at # points at nothing");
        assertRefused("{\"properties\": {\"child\": {\"$ref\": \"#\"}}}",
                "schema: $ref # at #/properties/child leads back into itself");
        // allOf over shared definitions doubles the work at each level: 2^30 checks per event, with no pattern
        StringBuilder doubling = new StringBuilder("{\"$ref\": \"#/$defs/d0\", \"$defs\": {");
        for (int level = 0; level < 30; level++) {
            doubling.append("\"d%d\": {\"allOf\": [{\"$ref\": \"#/$defs/d%d\"}, {\"$ref\": \"#/$defs/d%d\"}]},"
                    .formatted(level, level + 1, level + 1));
        }
        assertRefused(doubling.append("\"d30\": {\"type\": \"object\"}}}").toString(),
                "schema: with every $ref written out it must have at most 5000 nodes");
        assertRefused("{\"type\": ", "schema: must be JSON");
        assertRefused("[1]", "schema: must be a JSON Schema");
        assertRefused("{\"pattern\": \"(\"}", "schema: the pattern at #/pattern is not a regular expression");
        assertRefused("{\"$schema\": \"https://schemas.example.com/meta\"}", "schema: $schema must be one of");
        JsonPath badName = GraphQL.as(key, "mutation { setEventType(eventTypeInput: {name: \"order.*\"}) { name } }");
        assertTrue(badName.getString("errors[0].message").startsWith("name: must be an event type name"),
                badName.prettify());
        assertEquals(List.of(), GraphQL.as(key, "{ eventTypes { name } }").getList("data.eventTypes"),
                "nothing written");

        // Java's regular expressions backtrack for seconds on this one with 25 letters, for ever with more
        setType("user.signed-up", null, "{\"properties\": {\"name\": {\"pattern\": \"^((a+)+)+b\"}}}");
        long started = System.nanoTime();
        JsonPath slow = post("user.signed-up", "{\"id\": 1, \"providerId\": %d, \"name\": \"%s!\"}"
                .formatted(provider, "a".repeat(32))).then().statusCode(400).extract().jsonPath();
        assertTrue(slow.getString("message").endsWith("checking the schema took longer than 250 ms (a pattern that"
                + " backtracks?)"), slow.prettify());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos(), "refused within its deadline");
        post("user.signed-up", "{\"id\": 2, \"providerId\": %d, \"name\": \"aaab\"}".formatted(provider)).then()
                .statusCode(202);
        // a pattern that runs Java's regular expressions out of stack on a long text refuses that event, cleanly
        setType("user.named", null, "{\"properties\": {\"name\": {\"pattern\": \"^(a|b)*$\"}}}");
        JsonPath deep = post("user.named", "{\"id\": 3, \"providerId\": %d, \"name\": \"%s\"}"
                .formatted(provider, "ab".repeat(50_000))).then().statusCode(400).extract().jsonPath();
        assertTrue(deep.getString("message").startsWith("event: breaks the schema of event type user.named:"),
                deep.prettify());
        // a repeat with the same key and body but another type is another request
        post("user.signed-up", "{\"id\": 4, \"providerId\": %d}".formatted(provider), Map.of("Idempotency-Key", "k-2"))
                .then().statusCode(202);
        post("user.named", "{\"id\": 4, \"providerId\": %d}".formatted(provider), Map.of("Idempotency-Key", "k-2"))
                .then().statusCode(409);

        // names of properties and values of enum are not keywords: a property may be called $id or $ref
        JsonPath linked = GraphQL.as(key, """
                mutation($input: EventTypeInput!) { setEventType(eventTypeInput: $input) { name } }""",
                Map.of("input", Map.of("name", "user.linked", "schema", """
                        {"properties": {"$id": {"type": "string"},
                                        "$ref": {"enum": [{"$ref": "https://example.com/x"}]}}}""")));
        assertEquals("user.linked", linked.getString("data.setEventType.name"), linked.prettify());
        post("user.linked", "{\"id\": 5, \"providerId\": %d, \"$id\": \"u-5\"}".formatted(provider)).then()
                .statusCode(202);
        post("user.linked", "{\"id\": 6, \"providerId\": %d, \"$id\": 6}".formatted(provider)).then()
                .statusCode(400);

        JsonPath types = GraphQL.as(key, "{ eventTypes { name schema } }");
        assertEquals(List.of("user.linked", "user.named", "user.signed-up"), types.getList("data.eventTypes.name"));
        JsonPath wildcard = register("/bad", List.of("order.*.created"));
        assertTrue(wildcard.getString("errors[0].message").startsWith("eventTypes: each value must be an event type"),
                wildcard.prettify());
    }

    private void setType(String name, String description, String schema) {
        JsonPath set = GraphQL.as(key, """
                mutation($input: EventTypeInput!) { setEventType(eventTypeInput: $input) { name schema } }""",
                Map.of("input", description == null && schema == null ? Map.of("name", name)
                        : schema == null ? Map.of("name", name, "description", description)
                        : description == null ? Map.of("name", name, "schema", schema)
                        : Map.of("name", name, "description", description, "schema", schema)));
        assertEquals(name, set.getString("data.setEventType.name"), set.prettify());
    }

    private void assertRefused(String schema, String message) {
        JsonPath refused = GraphQL.as(key, """
                mutation($input: EventTypeInput!) { setEventType(eventTypeInput: $input) { name } }""",
                Map.of("input", Map.of("name", "order.created", "schema", schema)));
        assertTrue(refused.getString("errors[0].message").startsWith(message), refused.prettify());
    }

    private JsonPath register(String path, List<String> types) {
        return GraphQL.as(key, """
                mutation($input: CreateWebhookInput!) { webhook(createWebhookInput: $input) { id eventTypes } }""",
                Map.of("input", Map.of("providerId", provider, "webhookUrl", receiver.url(path), "eventTypes", types)));
    }

    private Response post(String type, String body) {
        return post(type, body, Map.of());
    }

    private Response post(String type, String body, Map<String, String> headers) {
        return given().header("x-api-key", key).header("Herald-Event-Type", type).headers(headers)
                .contentType(ContentType.JSON).body(body).post("/v1/events");
    }
}
