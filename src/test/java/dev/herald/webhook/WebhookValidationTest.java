package dev.herald.webhook;

import static dev.herald.testing.GraphQL.DEMO_KEY;
import static dev.herald.testing.GraphQL.errorClassification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class WebhookValidationTest {

    @Inject
    Database database;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''                                | webhookUrl: must not be blank",
            "/relative/path                    | webhookUrl: must be an absolute http or https URL",
            "ftp://example.com/hook            | webhookUrl: must be an absolute http or https URL",
            "mailto:someone@example.com        | webhookUrl: must be an absolute http or https URL",
            "https://user:secret@example.com/x | webhookUrl: must not contain user information (user:password@)",
            "https:///no-host                  | webhookUrl: must have a host",
            "'http://exa mple.com/'            | webhookUrl: must be a valid URL (Illegal character in authority)",
    })
    void badUrlsAreRefusedNamingFieldAndRule(String url, String expectedMessage) {
        assertRefused(register(10, url), "BAD_REQUEST", expectedMessage);
    }

    @Test
    void urlsLongerThan2048CharactersAreRefused() {
        String url = "https://example.com/" + "a".repeat(2049 - "https://example.com/".length());
        assertEquals(2049, url.length());
        assertRefused(register(10, url), "BAD_REQUEST", "webhookUrl: must be at most 2048 characters");
    }

    @Test
    void aUrlOfExactly2048CharactersIsAccepted() {
        String url = "https://example.com/" + "a".repeat(2048 - "https://example.com/".length());
        JsonPath answer = GraphQL.as(DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: 10, webhookUrl: "%s"}) { webhookUrl } }"""
                .formatted(url));
        assertEquals(url, answer.getString("data.webhook.webhookUrl"));
    }

    @Test
    void unknownProviderIsRefusedNamingIt() {
        assertRefused(register(999_999, "https://example.com/hook"), "NOT_FOUND",
                "providerId: no provider 999999 in this application");
    }

    @Test
    void updateRefusesABadStatusAndABadUrlAndChangesNothing() {
        String id = GraphQL.newWebhook(DEMO_KEY, 10, "https://example.com/keep");
        assertRefused(GraphQL.as(DEMO_KEY, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: 7}) { id } }""".formatted(id)),
                "BAD_REQUEST", "status: must be 1 (active) or 0 (inactive)");
        assertRefused(GraphQL.as(DEMO_KEY, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", webhookUrl: "gopher://x"}) { id } }"""
                .formatted(id)), "BAD_REQUEST", "webhookUrl: must be an absolute http or https URL");
        assertRefused(GraphQL.as(DEMO_KEY, """
                mutation { updateWebhook(updateWebhookInput: {id: "abc", status: 0}) { id } }"""),
                "BAD_REQUEST", "id: must be a positive integer id");
        var row = database.query("SELECT webhook_url, status FROM webhook WHERE id = " + id).iterator().next();
        assertEquals("https://example.com/keep", row.getString(0));
        assertEquals(1, row.getInteger(1));
    }

    @Test
    void providerNeedsANameAndAPositiveChannelType() {
        String before = database.snapshot();
        assertRefused(GraphQL.as(DEMO_KEY, """
                mutation { createProvider(createProviderInput: {name: "  ", channelType: 1}) { providerId } }"""),
                "BAD_REQUEST", "name: must not be blank");
        assertRefused(GraphQL.as(DEMO_KEY, """
                mutation { createProvider(createProviderInput: {name: "x", channelType: 0}) { providerId } }"""),
                "BAD_REQUEST", "channelType: must be a positive integer (1 SMTP, 2 Mailgun, ... as in OsmoX)");
        assertEquals(before, database.snapshot());
    }

    private JsonPath register(int providerId, String url) {
        return GraphQL.as(DEMO_KEY, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"}) { id } }"""
                .formatted(providerId, url));
    }

    private void assertRefused(JsonPath answer, String classification, String message) {
        String before = database.snapshot();
        assertEquals(classification, errorClassification(answer), answer.prettify());
        assertEquals(message, answer.getString("errors[0].message"));
        java.util.Map<String, Object> data = answer.getMap("data");
        assertTrue(data == null || data.values().stream().allMatch(java.util.Objects::isNull),
                "no result on a refused mutation");
        assertEquals(before, database.snapshot());
    }
}
