package dev.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

@QuarkusTest
class IngestTest {

    @Inject
    Database database;

    String key;
    int provider;

    @BeforeEach
    void application() {
        key = GraphQL.newApplication("ingest");
        provider = GraphQL.newProvider(key, "smtp");
    }

    @Test
    void acceptedEventsAreStoredBeforeThe202AndTheirIdsReturnedInOrder() {
        String first = Events.notification(1, provider);
        String second = Events.notification(2, provider);
        List<Long> ids = Events.post(key, "[" + first + "," + second + "]");
        assertEquals(2, ids.size());
        assertTrue(ids.get(0) < ids.get(1));
        var rows = database.query("SELECT payload::text FROM event WHERE id IN (" + ids.get(0) + "," + ids.get(1)
                + ") ORDER BY id");
        var it = rows.iterator();
        assertEquals(first, it.next().getString(0));
        assertEquals(second, it.next().getString(0));
    }

    @Test
    void bearerKeyWorksToo() {
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Events.notification(3, provider)).post("/v1/events")
                .then().statusCode(202);
    }

    @Test
    void unknownProviderIsRefusedNamingItAndNothingIsStored() {
        long before = database.count("event");
        String body = "[" + Events.notification(1, provider) + "," + Events.notification(2, 987654) + "]";
        assertEquals("[1].providerId: no provider 987654 in this application",
                refuse(body, key, 404).extract().path("message"));
        assertEquals(before, database.count("event"));
    }

    @Test
    void anotherApplicationsProviderIsRefused() {
        String other = GraphQL.newApplication("other");
        long before = database.count("event");
        assertEquals("providerId: no provider " + provider + " in this application",
                refuse(Events.notification(1, provider), other, 404).extract().path("message"));
        assertEquals(before, database.count("event"));
    }

    @Test
    void malformedJsonIs400() {
        String message = refuse("{\"providerId\": 1, ", key, 400).extract().path("message");
        assertTrue(message.startsWith("body: malformed JSON"), message);
        assertEquals("[0]: must be a notification object", refuse("[1, 2]", key, 400).extract().path("message"));
        assertEquals("providerId: is required", refuse("{\"id\": 1}", key, 400).extract().path("message"));
        assertEquals("providerId: must be a positive integer",
                refuse("{\"providerId\": \"10\"}", key, 400).extract().path("message"));
    }

    @Test
    void anEventOverTheSizeLimitIs413() {
        long before = database.count("event");
        String big = "{\"providerId\": " + provider + ", \"data\": \"" + "x".repeat(262_144) + "\"}";
        String message = refuse("[" + Events.notification(1, provider) + "," + big + "]", key, 413)
                .extract().path("message");
        assertTrue(message.startsWith("[1]: the event is 262"), message);
        assertEquals(before, database.count("event"));
    }

    @Test
    void noKeyIs401() {
        given().contentType(ContentType.JSON).body(Events.notification(1, provider)).post("/v1/events")
                .then().statusCode(401);
    }

    private ValidatableResponse refuse(String body, String apiKey, int status) {
        return given().header("x-api-key", apiKey).contentType(ContentType.JSON).body(body).post("/v1/events")
                .then().statusCode(status);
    }
}
