package dev.herald.tenancy;

import static dev.herald.testing.GraphQL.ADMIN_KEY;
import static dev.herald.testing.GraphQL.DEMO_KEY;
import static dev.herald.testing.GraphQL.errorClassification;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class AuthenticationTest {

    private static final String REGISTER = """
            mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "https://example.com/hook"}) { id } }""";

    @Inject
    Database database;

    @Test
    void missingKeyIsUnauthorizedAndWritesNothing() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.as(null, REGISTER);
        assertEquals("UNAUTHORIZED", errorClassification(answer));
        assertTrue(answer.getString("errors[0].message").contains("missing API key"));
        assertNull(answer.get("data"));
        assertEquals(before, database.snapshot());
    }

    @Test
    void unknownKeyIsUnauthorizedAndWritesNothing() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.as("hk_not-a-real-key", REGISTER);
        assertEquals("UNAUTHORIZED", errorClassification(answer));
        assertEquals(before, database.snapshot());
    }

    @Test
    void bearerAloneAuthenticates() {
        JsonPath answer = GraphQL.send(given().header("Authorization", "Bearer " + DEMO_KEY), REGISTER);
        assertNull(answer.get("errors"));
        assertNotNull(answer.getString("data.webhook.id"));
    }

    @Test
    void twoDifferentKeysInOneRequestAreRefused() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.send(given().header("x-api-key", DEMO_KEY).header("Authorization", "Bearer other"),
                REGISTER);
        assertEquals("UNAUTHORIZED", errorClassification(answer));
        assertTrue(answer.getString("errors[0].message").contains("different keys"));
        assertEquals(before, database.snapshot());
    }

    @Test
    void applicationKeyCannotCreateApplications() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.as(DEMO_KEY, """
                mutation { createApplication(createApplicationInput: {name: "sneaky"}) { apiKey } }""");
        assertEquals("FORBIDDEN", errorClassification(answer));
        assertEquals(before, database.snapshot());
    }

    @Test
    void adminKeyOwnsNoWebhooks() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.as(ADMIN_KEY, REGISTER);
        assertEquals("FORBIDDEN", errorClassification(answer));
        assertEquals(before, database.snapshot());
    }

    @Test
    void apiKeyIsReturnedOnceAndStoredOnlyAsItsHash() {
        String key = GraphQL.newApplication("hash-check");
        assertTrue(key.startsWith("hk_") && key.length() > 40, key);
        long plain = database.query("SELECT count(*) FROM api_key WHERE key_hash = '" + key + "'")
                .iterator().next().getLong(0);
        long hashed = database.query("SELECT count(*) FROM api_key WHERE key_hash = encode(sha256('" + key
                + "'::bytea), 'hex')").iterator().next().getLong(0);
        assertEquals(0, plain);
        assertEquals(1, hashed);
        // and the key works
        assertNull(GraphQL.as(key, "{ providers { providerId } }").get("errors"));
    }
}
