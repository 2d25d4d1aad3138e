package dev.herald.quota;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Per-application quotas and the ingest rate, set by the admin, held in PostgreSQL, refused naming the quota. */
@QuarkusTest
class QuotaTest {

    @Inject
    Database database;

    /** A new application: its id and key. */
    private record Tenant(int id, String key) {
    }

    private static Tenant newTenant(String name) {
        JsonPath created = GraphQL.as(GraphQL.ADMIN_KEY, """
                mutation { createApplication(createApplicationInput: {name: "%s"}) { applicationId apiKey } }"""
                .formatted(name));
        return new Tenant(created.getInt("data.createApplication.applicationId"),
                created.getString("data.createApplication.apiKey"));
    }

    private static JsonPath setLimits(int applicationId, String limits) {
        return GraphQL.as(GraphQL.ADMIN_KEY, "mutation { setApplicationLimits(applicationLimitsInput: {applicationId: "
                + applicationId + ", " + limits + "}) { maxWebhooks maxEventsPerRequest maxEventsPerSecond own } }");
    }

    @Test
    void theWebhookQuotaHoldsEvenForRegistrationsAtOnce() throws Exception {
        Tenant tenant = newTenant("quota");
        String key = tenant.key();
        int provider = GraphQL.newProvider(key, "smtp");
        JsonPath set = setLimits(tenant.id(), "maxWebhooks: 3");
        assertEquals(3, set.getInt("data.setApplicationLimits.maxWebhooks"), set.prettify());
        assertTrue(set.getBoolean("data.setApplicationLimits.own"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            answers.add(pool.submit(() -> GraphQL.as(key, """
                    mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/%d"}) { id } }"""
                    .formatted(provider, n))));
        }
        int created = 0;
        for (Future<JsonPath> answer : answers) {
            JsonPath json = answer.get();
            if (json.get("errors") == null) {
                created++;
            } else {
                assertEquals("QUOTA_EXCEEDED", GraphQL.errorClassification(json), json.prettify());
                assertEquals("webhookUrl: the application has 3 webhooks, its quota"
                        + " (herald.tenancy.max-webhooks-per-application, or the admin's setApplicationLimits);"
                        + " delete one first", json.getString("errors[0].message"));
            }
        }
        pool.shutdown();
        assertEquals(3, created);
        assertEquals(3, database.count("webhook w JOIN provider p ON p.id = w.provider_id WHERE p.application_id = "
                + tenant.id()));
    }

    @Test
    void aRequestOverTheApplicationsSizeIs413NamingTheQuota() {
        Tenant tenant = newTenant("sizes");
        String key = tenant.key();
        int provider = GraphQL.newProvider(key, "smtp");
        setLimits(tenant.id(), "maxEventsPerRequest: 5");
        long before = database.count("event");
        Response refused = post(key, Events.notifications(6, provider));
        assertEquals(413, refused.statusCode());
        assertEquals("body: 6 events; at most 5 in one request (herald.ingest.max-events-per-request)",
                refused.jsonPath().getString("message"));
        assertNotNull(refused.header("RateLimit-Limit"));
        assertEquals(before, database.count("event"));
        assertEquals(202, post(key, Events.notifications(5, provider)).statusCode());
    }

    @Test
    void theRateIsRefusedWith429AndEveryAnswerSaysWhereItStands() {
        Tenant tenant = newTenant("rate");
        String key = tenant.key();
        int provider = GraphQL.newProvider(key, "smtp");
        JsonPath set = setLimits(tenant.id(), "maxEventsPerSecond: 10");
        assertEquals(10, set.getInt("data.setApplicationLimits.maxEventsPerSecond"), set.prettify());
        long started = System.nanoTime();
        int accepted = 0;
        Response refused = null;
        for (int i = 0; i < 40 && refused == null; i++) {
            Response answer = post(key, Events.notification(i, provider));
            assertEquals("10", answer.header("RateLimit-Limit"));
            assertNotNull(answer.header("RateLimit-Remaining"));
            assertNotNull(answer.header("RateLimit-Reset"));
            if (answer.statusCode() == 202) {
                accepted++;
            } else {
                refused = answer;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertNotNull(refused, "40 requests as fast as they go: some must be refused at 10 a second");
        assertEquals(429, refused.statusCode());
        assertEquals("0", refused.header("RateLimit-Remaining"));
        assertTrue(Integer.parseInt(refused.header("Retry-After")) >= 1);
        assertTrue(refused.jsonPath().getString("message").contains("herald.ingest.max-events-per-second-per-application"),
                refused.jsonPath().getString("message"));
        assertTrue(accepted <= 10 + seconds * 10 + 1, accepted + " accepted in " + seconds + " s");

        Response tooBig = post(key, Events.notifications(11, provider));
        assertEquals(413, tooBig.statusCode(), "a request larger than a second's worth can never pass");
    }

    @Test
    void refusalsCarryTheHeadersToo() {
        String key = GraphQL.newApplication("headers");
        Response unsupported = given().header("x-api-key", key).contentType(ContentType.TEXT).body("x")
                .post("/v1/events");
        assertEquals(415, unsupported.statusCode());
        assertNotNull(unsupported.header("RateLimit-Limit"), "the application's allowance");
        Response anonymous = given().contentType(ContentType.JSON).body("{}").post("/v1/events");
        assertEquals(401, anonymous.statusCode());
        assertNotNull(anonymous.header("RateLimit-Limit"), "the failed authentications of the address");
    }

    @Test
    void thePortalTokenQuotaHoldsEvenForMintingsAtOnceAndRevokingMakesRoom() throws Exception {
        Tenant tenant = newTenant("portal-quota");
        JsonPath set = GraphQL.as(GraphQL.ADMIN_KEY, "mutation { setApplicationLimits(applicationLimitsInput:"
                + " {applicationId: " + tenant.id() + ", maxPortalTokens: 2}) { maxPortalTokens own } }");
        assertEquals(2, set.getInt("data.setApplicationLimits.maxPortalTokens"), set.prettify());
        String expired = mintPortalToken(tenant.key()).getString("data.createPortalToken.id");
        database.query("UPDATE portal_token SET expires_at = clock_timestamp() - interval '1 second' WHERE id = "
                + expired); // an expired token does not count

        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            answers.add(pool.submit(() -> mintPortalToken(tenant.key())));
        }
        List<String> minted = new ArrayList<>();
        for (Future<JsonPath> answer : answers) {
            JsonPath json = answer.get();
            if (json.get("errors") == null) {
                minted.add(json.getString("data.createPortalToken.id"));
            } else {
                assertEquals("QUOTA_EXCEEDED", GraphQL.errorClassification(json), json.prettify());
                assertEquals("the application has 2 portal tokens in force, its quota"
                        + " (herald.tenancy.max-portal-tokens-per-application, or the admin's setApplicationLimits);"
                        + " revoke one (portalTokens lists them) or let one expire first",
                        json.getString("errors[0].message"));
            }
        }
        pool.shutdown();
        assertEquals(2, minted.size());
        assertEquals(2, database.count("portal_token WHERE application_id = " + tenant.id()));

        GraphQL.as(tenant.key(), "mutation { revokePortalToken(id: \"%s\") }".formatted(minted.get(0)));
        assertNull(mintPortalToken(tenant.key()).get("errors"), "a revoked token makes room");
        JsonPath limits = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications { applicationId limits { maxPortalTokens } } }");
        assertTrue(limits.getList("data.applications.limits.maxPortalTokens").contains(1000), "the default");
        JsonPath invalid = GraphQL.as(GraphQL.ADMIN_KEY, "mutation { setApplicationLimits(applicationLimitsInput:"
                + " {applicationId: " + tenant.id() + ", maxPortalTokens: -1}) { own } }");
        assertEquals("maxPortalTokens: must be 0 or more", invalid.getString("errors[0].message"));
    }

    private static JsonPath mintPortalToken(String key) {
        return GraphQL.as(key, "mutation { createPortalToken(access: READ, ttl: \"1h\") { id } }");
    }

    @Test
    void limitsAreTheAdminsToSet() {
        Tenant tenant = newTenant("sneaky");
        JsonPath refused = GraphQL.as(tenant.key(), "mutation { setApplicationLimits(applicationLimitsInput:"
                + " {applicationId: " + tenant.id() + ", maxEventsPerSecond: 100000}) { own } }");
        assertEquals("FORBIDDEN", GraphQL.errorClassification(refused), refused.prettify());
        JsonPath applications = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications { name limits { maxWebhooks own } } }");
        assertTrue(applications.getList("data.applications.limits.maxWebhooks").contains(1000), applications.prettify());
    }

    private static Response post(String key, String body) {
        return given().header("x-api-key", key).contentType(ContentType.JSON).body(body).post("/v1/events");
    }
}
