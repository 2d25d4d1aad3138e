package dev.herald.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** GraphQL refusals name the field and the rule, write nothing, and never quote a parser's internals. */
@QuarkusTest
class CleanGraphQLRefusalsTest {

    @Inject
    Database database;

    @Test
    void controlCharactersInNamesAreRefusedNamingTheField() {
        String key = GraphQL.newApplication("names");
        String before = database.snapshot();
        JsonPath nul = GraphQL.as(key,
                "mutation { createProvider(createProviderInput: {name: \"smtp\\u0000\", channelType: 1}) { providerId } }");
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(nul), nul.prettify());
        assertEquals("name: must not hold control characters (found U+0000)", nul.getString("errors[0].message"));
        JsonPath bell = GraphQL.as(GraphQL.ADMIN_KEY,
                "mutation { createApplication(createApplicationInput: {name: \"ring\\u0007\"}) { applicationId } }");
        assertEquals("name: must not hold control characters (found U+0007)", bell.getString("errors[0].message"));
        assertEquals(before, database.snapshot());
    }

    @Test
    void aDescriptionMaySpanLinesButHoldNoOtherControlCharacter() {
        String key = GraphQL.newApplication("descriptions");
        int provider = GraphQL.newProvider(key, "smtp");
        JsonPath lines = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/d",
                  description: "first line\\nsecond\\tline"}) { description } }""".formatted(provider));
        assertEquals("first line\nsecond\tline", lines.getString("data.webhook.description"), lines.prettify());
        JsonPath escape = GraphQL.as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/e",
                  description: "\\u001b[31mred"}) { id } }""".formatted(provider));
        assertEquals("description: must not hold control characters (found U+001B; lines and tabs are fine)",
                escape.getString("errors[0].message"));
    }

    @Test
    void replayingADeliveryThatIsNotThereIsNotFound() {
        JsonPath missing = GraphQL.as(GraphQL.DEMO_KEY, "mutation { replayDelivery(deliveryId: \"987654321\") { id } }");
        assertEquals("NOT_FOUND", GraphQL.errorClassification(missing), missing.prettify());
        assertEquals("deliveryId: no FAILED delivery 987654321 in this application",
                missing.getString("errors[0].message"));
    }

    /** Mutations run in order; one failing leaves the others' results, so a created webhook's secret is seen. */
    @Test
    void eachMutationThatSucceededIsAnsweredBesideTheErrorsOfThoseThatFailed() {
        String key = GraphQL.newApplication("several");
        int provider = GraphQL.newProvider(key, "smtp");
        JsonPath answer = GraphQL.as(key, """
                mutation {
                  first: webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://example.com/first"}) { id secret }
                  second: webhook(createWebhookInput: {providerId: 987654, webhookUrl: "https://example.com/x"}) { id }
                }""".formatted(provider));
        assertNotNull(answer.getString("data.first.id"), answer.prettify());
        assertTrue(answer.getString("data.first.secret").startsWith("whsec_"), answer.prettify());
        assertNull(answer.get("data.second"));
        assertEquals("NOT_FOUND", GraphQL.errorClassification(answer));
        assertEquals(java.util.List.of("second"), answer.getList("errors[0].path"));
    }

    @Test
    void malformedJsonIsAnsweredInPlainWords() {
        JsonPath answer = given().contentType(ContentType.JSON).header("x-api-key", GraphQL.DEMO_KEY)
                .body("{\"query\": \"{ providers { name } }\"").post("/graphql")
                .then().statusCode(200).extract().jsonPath();
        String message = answer.getString("errors[0].message");
        assertTrue(message.startsWith("body: malformed JSON"), message);
        assertFalse(message.contains("Source") || message.contains("REDACTED") || message.contains("Jackson"),
                message);
    }
}
