package dev.herald.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LogCapture;
import dev.herald.testing.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.http.runtime.QuarkusErrorHandler;
import io.restassured.response.Response;

/**
 * Requests without an idempotency key share statements and commits when they arrive together; each still gets its
 * own verdict: its events committed and their ids, or its own refusal, never another request's.
 */
@QuarkusTest
class IngestGroupsTest {

    @Inject
    Database database;

    @Inject
    IngestGroups groups;

    /**
     * Requests of three applications arrive while the group statements are held up (the allowance rows locked, as
     * a slow commit would hold them): they wait together for the next statement, and each is answered for itself.
     */
    @Test
    void requestsThatArriveTogetherShareStatementsAndKeepTheirOwnVerdicts() throws Exception {
        String first = GraphQL.newApplication("group-first");
        int firstProvider = GraphQL.newProvider(first, "smtp");
        String second = GraphQL.newApplication("group-second");
        int secondProvider = GraphQL.newProvider(second, "smtp");
        String limited = GraphQL.newApplication("group-limited");
        int limitedProvider = GraphQL.newProvider(limited, "smtp");
        int limitedId = database.query("SELECT application_id FROM provider WHERE id = " + limitedProvider).iterator()
                .next().getInteger(0);
        GraphQL.as(GraphQL.ADMIN_KEY, "mutation { setApplicationLimits(applicationLimitsInput: {applicationId: "
                + limitedId + ", maxEventsPerRequest: 1}) { own } }");

        double statementsBefore = Metrics.value("herald_ingest_statements_total");
        List<Future<Response>> answers = new ArrayList<>();
        Map<Future<Response>, Integer> sentIds = new HashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(29);
        // every application's allowance row exists and is held: the first statement waits, the rest gather
        database.query("INSERT INTO ingest_allowance (application_id, tokens, refreshed_at) SELECT application_id,"
                + " 1000, clock_timestamp() FROM provider WHERE id IN (" + firstProvider + ", " + secondProvider
                + ", " + limitedProvider + ") ON CONFLICT DO NOTHING");
        try (Database.HeldLocks allowances = database.holding("SELECT 1 FROM ingest_allowance FOR UPDATE")) {
            for (int i = 0; i < 10; i++) {
                int n = i;
                Future<Response> toFirst = clients.submit(() -> post(first, Events.notification(n, firstProvider)));
                Future<Response> toSecond = clients.submit(() -> post(second, Events.notification(10 + n,
                        secondProvider)));
                answers.add(toFirst);
                answers.add(toSecond);
                sentIds.put(toFirst, n);
                sentIds.put(toSecond, 10 + n);
            }
            for (int i = 0; i < 3; i++) {
                int n = i;
                // one event may come per request: the one-event requests are granted, the two-event ones refused
                Future<Response> oneEvent = clients.submit(() -> post(limited, Events.notification(200 + n,
                        limitedProvider)));
                answers.add(oneEvent);
                sentIds.put(oneEvent, 200 + n);
                answers.add(clients.submit(() -> post(limited, Events.notifications(2, limitedProvider))));
                // the other application's provider: refused, alone
                answers.add(clients.submit(() -> post(first, Events.notification(100 + n, secondProvider))));
            }
            // every request has reached Herald: the first in the held statement, the others waiting for the next
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> groups.unanswered() == answers.size());
        }

        Set<Long> ids = new HashSet<>();
        int accepted = 0;
        int tooLarge = 0;
        int unowned = 0;
        for (Future<Response> future : answers) {
            Response answer = future.get(30, TimeUnit.SECONDS);
            String body = answer.asString();
            if (answer.statusCode() == 202) {
                accepted++;
                List<Long> eventIds = answer.jsonPath().getList("eventIds", Long.class);
                assertEquals(1, eventIds.size(), body);
                assertTrue(ids.addAll(eventIds), "ids are each request's own: " + body);
                // the id answered holds the very event this request sent
                assertEquals(sentIds.get(future), database.query("SELECT (payload->>'id')::int FROM event WHERE id = "
                        + eventIds.get(0)).iterator().next().getInteger(0), body);
                assertNotNull(answer.header("RateLimit-Remaining"));
            } else if (answer.statusCode() == 413) {
                tooLarge++;
                assertTrue(body.contains("herald.ingest.max-events-per-request"), body);
            } else {
                assertEquals(404, answer.statusCode(), body);
                assertTrue(body.contains("providerId") && body.contains(Integer.toString(secondProvider)), body);
                unowned++;
            }
        }
        clients.shutdown();
        assertEquals(23, accepted, "20 of the first two applications, 3 one-event requests of the limited one");
        assertEquals(3, tooLarge);
        assertEquals(3, unowned);
        String stored = String.join(",", ids.stream().map(String::valueOf).toList());
        // the events stored are exactly those answered, each under its own request's application and provider
        assertEquals(23, database.count("event WHERE id IN (" + stored + ")"));
        assertEquals(23, database.count("event e JOIN provider p ON p.id = e.provider_id"
                + " AND p.application_id = e.application_id WHERE e.id IN (" + stored + ")"));
        assertEquals(0, database.count("event e WHERE e.provider_id = " + limitedProvider
                + " AND NOT e.id IN (" + stored + ")"), "a refused request stored nothing");
        // they were taken in together: far fewer statements (each its own commit) than requests
        double statements = Metrics.value("herald_ingest_statements_total") - statementsBefore;
        assertTrue(statements <= 4, "requests shared statements: " + statements + " for " + answers.size());
    }

    /**
     * A group whose statement fails (here a producer's trigger refuses one request's event) is taken in again
     * request by request: the failing request alone is refused, the others of its group are stored.
     */
    @Test
    void aRequestThatFailsTheGroupStatementFailsAlone() throws Exception {
        String key = GraphQL.newApplication("group-poisoned");
        int provider = GraphQL.newProvider(key, "smtp");
        database.query("INSERT INTO ingest_allowance (application_id, tokens, refreshed_at) SELECT application_id,"
                + " 1000, clock_timestamp() FROM provider WHERE id = " + provider + " ON CONFLICT DO NOTHING");
        database.query("""
                CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.payload::text LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned event'; END IF;
                    RETURN NEW;
                END $$""");
        onTheOutbox("CREATE TRIGGER test_refuse_poison BEFORE INSERT ON event FOR EACH ROW"
                + " EXECUTE FUNCTION test_refuse_poison()");
        List<Future<Response>> answers = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try (LogCapture errors = LogCapture.of(QuarkusErrorHandler.class)) {
            try (Database.HeldLocks allowances = database.holding("SELECT 1 FROM ingest_allowance FOR UPDATE")) {
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    answers.add(clients.submit(() -> post(key, Events.notification(n, provider))));
                }
                answers.add(clients.submit(() -> post(key, "{\"providerId\": " + provider + ", \"data\": \"poison\"}")));
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> groups.unanswered() == answers.size());
            }
            for (int i = 0; i < 5; i++) {
                Response answer = answers.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(202, answer.statusCode(), answer.asString());
            }
            assertEquals(500, answers.get(5).get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(5, database.count("event WHERE provider_id = " + provider));
            assertEquals(1, errors.atLeast(Level.SEVERE).size(), "the failing request's error is logged once");
        } finally {
            clients.shutdown();
            onTheOutbox("DROP TRIGGER test_refuse_poison ON event");
            database.query("DROP FUNCTION test_refuse_poison()");
        }
    }

    /**
     * Ingest lets a key that authenticated lately pass without a look at the database, and its group statement
     * checks the key again: a key deleted since (how an operator revokes one) is refused at once.
     */
    @Test
    void aKeySeenLatelyThatWasRevokedSinceIsRefused() {
        String key = GraphQL.newApplication("group-revoked");
        int provider = GraphQL.newProvider(key, "smtp");
        assertEquals(202, post(key, Events.notification(1, provider)).statusCode());
        int application = database.query("SELECT application_id FROM provider WHERE id = " + provider).iterator()
                .next().getInteger(0);
        database.query("DELETE FROM api_key WHERE application_id = " + application);

        Response refused = post(key, Events.notification(2, provider));
        assertEquals(401, refused.statusCode(), refused.asString());
        assertTrue(refused.asString().contains("unknown API key"), refused.asString());
        // a request too large for a group takes a path of its own, which looks the key up again
        Response large = post(key, Events.notifications(1_001, provider));
        assertEquals(401, large.statusCode(), large.asString());
        assertEquals(1, database.count("event WHERE provider_id = " + provider));
    }

    /**
     * A request larger than a group has a statement of its own beside the groups: while the group statement is held
     * up (one application's allowance row locked), another application's large request is taken in.
     */
    @Test
    void aLargeRequestDoesNotWaitForTheGroups() throws Exception {
        String held = GraphQL.newApplication("group-held");
        int heldProvider = GraphQL.newProvider(held, "smtp");
        String large = GraphQL.newApplication("group-large");
        int largeProvider = GraphQL.newProvider(large, "smtp");
        database.query("INSERT INTO ingest_allowance (application_id, tokens, refreshed_at) SELECT application_id,"
                + " 1000, clock_timestamp() FROM provider WHERE id = " + heldProvider + " ON CONFLICT DO NOTHING");
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 5; i++) {
            body.append(i == 0 ? "" : ",").append("{\"providerId\": ").append(largeProvider).append(", \"data\": \"")
                    .append("x".repeat(250_000)).append("\"}");
        }
        String fiveLargeEvents = body.append("]").toString();
        assertTrue(fiveLargeEvents.length() > IngestGroups.MAX_GROUP_BYTES);
        ExecutorService clients = Executors.newFixedThreadPool(2);
        Future<Response> waiting;
        try (Database.HeldLocks heldBucket = database.holding("SELECT 1 FROM ingest_allowance a JOIN provider p"
                + " ON p.application_id = a.application_id WHERE p.id = " + heldProvider + " FOR UPDATE OF a")) {
            waiting = clients.submit(() -> post(held, Events.notification(1, heldProvider)));
            database.awaitCount("pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%herald_ingest%'",
                    1, Duration.ofSeconds(10));

            Response taken = post(large, fiveLargeEvents);
            assertEquals(202, taken.statusCode(), taken.asString());
            assertEquals(5, taken.jsonPath().getList("eventIds").size());
            assertTrue(!waiting.isDone(), "the group statement is still held");
        } finally {
            clients.shutdown();
        }
        assertEquals(202, waiting.get(30, TimeUnit.SECONDS).statusCode());
    }

    /**
     * DDL on the outbox, which the dispatcher's fan-out locks meanwhile: PostgreSQL may end it as the loser of a
     * deadlock, and then it is run again (bounded).
     */
    private void onTheOutbox(String ddl) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            database.query(ddl);
            return true;
        });
    }

    private static Response post(String key, String body) {
        return given().header("x-api-key", key).contentType("application/json").body(body).post("/v1/events");
    }
}
