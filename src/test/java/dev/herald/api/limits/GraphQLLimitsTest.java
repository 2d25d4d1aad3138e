package dev.herald.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Pause;
import graphql.introspection.IntrospectionQuery;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * One request cannot take a replica's time: too many aliases, fields or levels are refused before anything runs,
 * with an error that names the rule and its setting; what the API and its UI need passes.
 */
@QuarkusTest
class GraphQLLimitsTest {

    private static final String KEY = GraphQL.DEMO_KEY;

    @Test
    void fiveHundredAliasesOfAPageAreRefusedBeforeAnyRuns() {
        StringJoiner query = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 500; i++) {
            query.add("a" + i + ": deliveries(limit: 500) { items { id attempts { error responseExcerpt } } }");
        }
        JsonPath refused = GraphQL.as(KEY, query.toString());
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: 500 aliases; at most 10 (herald.graphql.max-aliases)",
                refused.getString("errors[0].message"));
        assertNull(refused.get("data"), "nothing ran");
    }

    /** Ten fields resolved at once (GraphQL runs them in parallel): each answers, none shares another's session. */
    @Test
    void tenAliasesPass() {
        StringJoiner query = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 5; i++) {
            query.add("p" + i + ": providers { providerId }");
            query.add("w" + i + ": webhooks { id webhookUrl }");
        }
        JsonPath answer = GraphQL.as(KEY, query.toString());
        assertFalse(answer.getMap("").containsKey("errors"), answer.prettify());
        assertTrue(answer.getList("data.p4").size() >= 1, answer.prettify());
        assertEquals(answer.getList("data.w0"), answer.getList("data.w4"), answer.prettify());
    }

    @Test
    void aQueryNestedTooDeepIsRefused() {
        // 21 levels through a fragment that spreads another, as an attacker would hide it
        String query = "{ __schema { types { ...Deep } } } fragment Deep on __Type { fields { type { ...TypeRef } } }"
                + " fragment TypeRef on __Type { " + "ofType { ".repeat(16) + "name" + " }".repeat(16) + " }";
        JsonPath refused = GraphQL.as(KEY, query);
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: nested 21 fields deep; at most 20 (herald.graphql.max-depth)",
                refused.getString("errors[0].message"));
    }

    @Test
    void tooManyFieldsAreRefused() {
        // a fragment spread 4 times, each 150 fields: 600 in all, no alias
        StringJoiner fields = new StringJoiner(" ");
        for (int i = 0; i < 150; i++) {
            fields.add("name");
        }
        String query = "{ providers { ...F ...F ...F ...F } } fragment F on Provider { " + fields + " }";
        JsonPath refused = GraphQL.as(KEY, query);
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: 601 fields selected; at most 500 (herald.graphql.max-fields)",
                refused.getString("errors[0].message"));
    }

    @Test
    void theIntrospectionQueryOfGraphQLToolsPasses() {
        JsonPath answer = GraphQL.as(KEY, IntrospectionQuery.INTROSPECTION_QUERY);
        assertFalse(answer.getMap("").containsKey("errors"), answer.prettify());
        assertTrue(answer.getList("data.__schema.types").size() > 10);
    }

    @Test
    void aPageOverTheMaximumIsRefusedNotClamped() {
        JsonPath refused = GraphQL.as(KEY, "{ deliveries(limit: 501) { totalCount } }");
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("limit: must be between 1 and 500", refused.getString("errors[0].message"));
    }

    /** A document that does not parse never reaches GraphQL: what the door cannot measure does not run. */
    @Test
    void malformedQueriesAreRefusedAtTheDoorSayingWhere() {
        JsonPath answer = GraphQL.as(KEY, "{ providers { ");
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(answer), answer.prettify());
        assertTrue(answer.getString("errors[0].message").startsWith("query: does not parse ("), answer.prettify());
    }

    /** Line breaks inside a name: SmallRye GraphQL drops them from an application/graphql body, so the door does too. */
    @Test
    void anApplicationGraphQLBodyIsMeasuredAsItRuns() {
        JsonPath refused = given().contentType("application/graphql").header("x-api-key", KEY)
                .body(("{ a: webho\noks(limit: 500) { id health { minutes { minute succeeded failed } } }"
                        + " b: webho\noks(limit: 500) { id health { minutes { minute succeeded failed } } } }")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/graphql").then().extract().jsonPath();
        assertTrue(refused.getString("errors[0].message").startsWith("query: costs"), refused.prettify());
    }

    @Test
    void graphqlOverWebSocketIsNotServed() {
        given().header("Upgrade", "websocket").header("Connection", "Upgrade").header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").header("Sec-WebSocket-Protocol",
                        "graphql-transport-ws")
                .get("/graphql").then().statusCode(400);
    }

    @Test
    void getRequestsAreNotServed() {
        int status = given().queryParam("query", "{ providers { providerId } }").header("x-api-key", KEY)
                .get("/graphql").then().extract().statusCode();
        assertTrue(status == 405 || status == 404 || status == 400, "GET answered " + status);
    }

    /** The 45-byte request that once hung the API: a fragment that spreads itself, sent without a key. */
    private static final String SELF_SPREAD = "{\"query\":\"fragment F on Query { ...F ...F } { ...F }\"}";

    /** Answers the GraphQL answer to a raw body sent without a key, and how long it took in ms. */
    private static long postRaw(String body, List<JsonPath> answers) {
        long started = System.nanoTime();
        JsonPath answer = given().contentType(ContentType.JSON).body(body).post("/graphql")
                .then().statusCode(200).extract().jsonPath();
        long millis = (System.nanoTime() - started) / 1_000_000;
        answers.add(answer);
        return millis;
    }

    /**
     * The quickest of up to three timings in ms, stopping at the first under 100: this JVM shares two cores with the
     * other lane, which may be starting Quarkus (one verify saw a refusal take 103 ms). A request that were expanded
     * or followed before it is refused would take seconds every time.
     */
    private static long quickestOfThree(LongSupplier timed) {
        long quickest = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && quickest >= 100; attempt++) {
            quickest = Math.min(quickest, timed.getAsLong());
        }
        return quickest;
    }

    @Test
    void aFragmentThatSpreadsItselfIsRefusedAtOnceWithoutAKey() {
        List<JsonPath> answers = new ArrayList<>();
        postRaw(SELF_SPREAD, answers); // the first request of a test pays for loading classes
        long millis = quickestOfThree(() -> postRaw(SELF_SPREAD, answers));
        assertTrue(millis < 100, "refused in " + millis + " ms at the quickest of three");
        JsonPath refused = answers.get(answers.size() - 1);
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: fragment spreads must not form cycles (F → F)", refused.getString("errors[0].message"));
        assertNull(refused.get("data"));
    }

    /** A 1 KB document whose 20 fragments each spread the next twice: a million fields if expanded. */
    @Test
    void nestedFragmentsThatDoubleAreRefusedAtOnce() {
        StringBuilder query = new StringBuilder("{ ...F0 }");
        for (int i = 0; i < 20; i++) {
            query.append(" fragment F").append(i).append(" on Query { ...F").append(i + 1).append(" ...F")
                    .append(i + 1).append(" }");
        }
        query.append(" fragment F20 on Query { providers { name } }");
        assertTrue(query.length() < 1_100, query.length() + " characters");
        GraphQL.as(KEY, query.toString()); // warm-up
        List<JsonPath> answers = new ArrayList<>();
        long millis = quickestOfThree(() -> {
            long started = System.nanoTime();
            answers.add(GraphQL.as(KEY, query.toString()));
            return (System.nanoTime() - started) / 1_000_000;
        });
        assertTrue(millis < 100, "refused in " + millis + " ms at the quickest of three");
        JsonPath refused = answers.get(answers.size() - 1);
        assertEquals("query: 2097152 fields selected; at most 500 (herald.graphql.max-fields)",
                refused.getString("errors[0].message"));
    }

    /**
     * Eight copies of the self-spreading request at once, in bursts, while another tenant queries and sends events:
     * the refusals quick, and the tenant's requests within three times as long as without them (this JVM shares two
     * cores with the other lane; the packaged jar, alone, is held to twice by HostileRequestsIT).
     */
    @Test
    void eightAttackersAtOnceLeaveAnotherTenantItsLatency() throws Exception {
        String tenant = GraphQL.newApplication("bystander");
        int provider = GraphQL.newProvider(tenant, "smtp");
        tenantRound(tenant, provider, 10); // warm-up
        long quiet = tenantRound(tenant, provider, 20);
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest attack = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/graphql"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(SELF_SPREAD)).build();
        ExecutorService attackers = Executors.newFixedThreadPool(8);
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Long> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong refused = new AtomicLong();
        Thread bursts = new Thread(() -> {
            // bursts of eight at once, ten a second: the rate of the attack is part of what is tested
            for (int burst = 0; attacking.get() && burst < 600; burst++) {
                if (burst == 1) {
                    refusals.clear(); // the first burst opened the client's connections
                }
                List<Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    sent.add(attackers.submit(() -> {
                        long started = System.nanoTime();
                        HttpResponse<String> answer = client.send(attack, HttpResponse.BodyHandlers.ofString());
                        refusals.add((System.nanoTime() - started) / 1_000_000);
                        if (answer.body().contains("fragment spreads must not form cycles")) {
                            refused.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> one : sent) {
                    try {
                        one.get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                try {
                    Pause.because(Duration.ofMillis(100), "the attack's pace: ten bursts a second");
                } catch (InterruptedException stopped) {
                    return;
                }
            }
        });
        bursts.start();
        try {
            // the other lane's JVM shares the two cores and may be starting a Quarkus app just then (seen: 2.2 times
            // the quiet round): a round over the bound is measured again, still under attack, up to three times, and
            // the lowest counts, against three times the quiet round; starvation by the attack (the flaw: no answer
            // at all) would show in every round. HostileRequestsIT holds the bystander to twice its p99 alone,
            // against the packaged jar with nothing beside it.
            long underAttack = tenantRound(tenant, provider, 20);
            for (int again = 0; again < 3 && underAttack > 3 * quiet + 200; again++) {
                underAttack = Math.min(underAttack, tenantRound(tenant, provider, 20));
            }
            assertTrue(underAttack <= 3 * quiet + 200,
                    "the tenant's 20 queries and ingests took " + underAttack + " ms under attack, " + quiet + " alone");
        } finally {
            attacking.set(false);
            bursts.join(30_000);
            attackers.shutdown();
            assertTrue(attackers.awaitTermination(30, TimeUnit.SECONDS));
        }
        assertTrue(refused.get() >= 8, refused.get() + " attacks refused");
        // server and client share this JVM (and its pauses) with another test JVM on 2 cores: most refusals within
        // 200 ms (102 ms seen), none near a hang (the flaw this guards against never answered); the hostile tier
        // holds every one of them to 100 ms against the packaged jar
        List<Long> sorted = refusals.stream().sorted().toList();
        long p95 = sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1);
        assertTrue(p95 < 200, "95 % of the refusals within " + p95 + " ms");
        assertTrue(sorted.get(sorted.size() - 1) < 1_000, "the slowest refusal took " + sorted.get(sorted.size() - 1) + " ms");
    }

    /** {@code rounds} times: the tenant's webhook list and one event; answers the total in ms. */
    private static long tenantRound(String key, int provider, int rounds) {
        long started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            JsonPath answer = GraphQL.as(key, "{ providers { providerId } webhooks { id } }");
            assertNull(answer.get("errors"), answer.prettify());
            Events.post(key, Events.notification(i, provider));
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void aQueryWithoutAKeyIsRefusedBeforeAnyResolverRuns() {
        JsonPath refused = GraphQL.as(null, "{ webhooks { id } }");
        assertEquals("UNAUTHORIZED", GraphQL.errorClassification(refused), refused.prettify());
        assertNull(refused.get("data"));
    }

    @Test
    void aCostlyQueryIsRefusedNamingTheCost() {
        StringJoiner query = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 10; i++) {
            query.add("w" + i + ": webhooks(limit: 100) { id health { minutes { minute succeeded failed } } }");
        }
        JsonPath refused = GraphQL.as(KEY, query.toString());
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertTrue(refused.getString("errors[0].message").startsWith("query: costs 192010; at most 50000"
                + " (herald.graphql.max-cost"), refused.getString("errors[0].message"));
    }
}
