package dev.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * {@code Idempotency-Key}: a producer that retries after a lost answer gets the first answer and its receivers one
 * delivery (one webhook-id); the same key with another body is refused; keys are per application and expire.
 */
@QuarkusTest
class IdempotentIngestTest extends WithReceiver {

    @Inject
    Database database;

    @Inject
    ExpiredIdempotencyKeys expired;

    @Test
    void aRepeatAnswersTheFirstIdsStoresNothingAndIsDeliveredOnce() throws Exception {
        GraphQL.newWebhook(key, provider, receiver.url("/once"));
        String body = Events.notifications(2, provider);
        List<Long> first = post(key, "order-51-delivered", body).statusCode(202).extract().jsonPath()
                .getList("eventIds", Long.class);
        long events = database.count("event");
        List<Long> again = post(key, "order-51-delivered", body).statusCode(202).extract().jsonPath()
                .getList("eventIds", Long.class);
        assertEquals(first, again);
        assertEquals(events, database.count("event"), "the repeat stored nothing");

        receiver.await("/once", r -> r.size() == 2, Duration.ofSeconds(10));
        database.awaitCount("delivery_history WHERE event_id IN (" + first.get(0) + ", " + first.get(1) + ")", 2,
                Duration.ofSeconds(10));
        assertEquals(2, receiver.at("/once").stream().map(r -> r.headers().get("webhook-id")).distinct().count());
        assertEquals(2, receiver.at("/once").size(), "each notification reached the receiver once");
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefusedNamingItAndStoresNothing() {
        post(key, "k-1", Events.notification(1, provider)).statusCode(202);
        long events = database.count("event");
        String message = post(key, "k-1", Events.notification(2, provider)).statusCode(409).extract().path("message");
        assertEquals("Idempotency-Key: \"k-1\" was already used with another body within"
                + " herald.ingest.idempotency-window", message);
        assertEquals(events, database.count("event"));
    }

    @Test
    void aKeyOver255CharactersIsRefusedAndStoresNothing() {
        long events = database.count("event");
        String message = post(key, "k".repeat(256), Events.notification(1, provider)).statusCode(400)
                .extract().path("message");
        assertEquals("Idempotency-Key: must be 1 to 255 characters", message);
        assertEquals(events, database.count("event"));
        post(key, "k".repeat(255), Events.notification(1, provider)).statusCode(202);
    }

    @Test
    void keysBelongToTheirApplication() {
        String otherKey = GraphQL.newApplication("idempotency-other");
        int otherProvider = GraphQL.newProvider(otherKey, "smtp");
        List<Long> mine = post(key, "shared", Events.notification(1, provider)).statusCode(202).extract().jsonPath()
                .getList("eventIds", Long.class);
        List<Long> theirs = post(otherKey, "shared", Events.notification(1, otherProvider)).statusCode(202)
                .extract().jsonPath().getList("eventIds", Long.class);
        assertNotEquals(mine, theirs);
    }

    @Test
    void repeatsRacingTheFirstAllGetItsAnswer() throws Exception {
        String body = Events.notification(7, provider);
        long events = database.count("event");
        List<CompletableFuture<List<Long>>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racing.add(CompletableFuture.supplyAsync(() -> post(key, "racing", body).statusCode(202).extract()
                    .jsonPath().getList("eventIds", Long.class)));
        }
        Set<List<Long>> answers = new HashSet<>();
        for (CompletableFuture<List<Long>> answer : racing) {
            answers.add(answer.get());
        }
        assertEquals(1, answers.size(), "one set of ids for all: " + answers);
        assertEquals(events + 1, database.count("event"));
    }

    @Test
    void anExpiredKeyIsANewRequestAndIsForgotten() {
        List<Long> first = post(key, "old", Events.notification(1, provider)).statusCode(202).extract().jsonPath()
                .getList("eventIds", Long.class);
        database.query("UPDATE event_idempotency SET accepted_at = accepted_at - interval '25 hours'"
                + " WHERE idempotency_key = 'old'");
        List<Long> later = post(key, "old", Events.notification(2, provider)).statusCode(202).extract().jsonPath()
                .getList("eventIds", Long.class);
        assertNotEquals(first, later, "past the window the key is free again");

        database.query("UPDATE event_idempotency SET accepted_at = accepted_at - interval '25 hours'"
                + " WHERE idempotency_key = 'old'");
        long before = database.count("event_idempotency");
        int forgotten = expired.purge().await().atMost(Duration.ofSeconds(10));
        assertEquals(1, forgotten);
        assertEquals(before - 1, database.count("event_idempotency"));
    }

    /** The producer's own INSERT, as docs/api.md shows it: the second run of it stores nothing. */
    @Test
    void theProducersInsertWithOnConflictDoNothingStoresOnce() {
        int application = database.query("SELECT application_id FROM provider WHERE id = " + provider).iterator()
                .next().getInteger(0);
        String insert = """
                WITH key AS (INSERT INTO event_idempotency (application_id, idempotency_key)
                             VALUES (%d, 'notification-51-status-5')
                             ON CONFLICT DO NOTHING RETURNING idempotency_key)
                INSERT INTO event (provider_id, payload, idempotency_key)
                SELECT %d, '{"id": 51, "providerId": %d, "channelType": 1, "deliveryStatus": 5}', idempotency_key
                  FROM key""".formatted(application, provider, provider);
        long events = database.count("event");
        database.query(insert);
        database.query(insert);
        assertEquals(events + 1, database.count("event"));
    }

    private static ValidatableResponse post(String apiKey, String idempotencyKey, String body) {
        return given().header("x-api-key", apiKey).header("Idempotency-Key", idempotencyKey)
                .contentType(ContentType.JSON).body(body).post("/v1/events").then();
    }
}
