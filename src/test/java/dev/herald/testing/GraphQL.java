package dev.herald.testing;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Posts GraphQL operations to the running test instance, the way clients do. */
public final class GraphQL {

    public static final String ADMIN_KEY = "herald-test-admin-key";
    /** The demo application's key (the OsmoX documentation's); it owns provider 10. */
    public static final String DEMO_KEY = "OsmoX-test-key";

    private GraphQL() {
    }

    /** Sends the operation with {@code x-api-key: key} (no header when key is null). */
    public static JsonPath as(String key, String query) {
        return send(key == null ? given() : given().header("x-api-key", key), query);
    }

    /** Sends the operation with these variables (a certificate's PEM, say, which a literal would have to escape). */
    public static JsonPath as(String key, String query, Map<String, Object> variables) {
        return given().header("x-api-key", key).contentType(ContentType.JSON)
                .body(Map.of("query", query, "variables", variables))
                .post("/graphql")
                .then().statusCode(200)
                .extract().jsonPath();
    }

    public static JsonPath send(RequestSpecification request, String query) {
        return request.contentType(ContentType.JSON)
                .body(Map.of("query", query))
                .post("/graphql")
                .then().statusCode(200)
                .extract().jsonPath();
    }

    /** Creates an application with the admin key and returns its API key. */
    public static String newApplication(String name) {
        return as(ADMIN_KEY, """
                mutation { createApplication(createApplicationInput: {name: "%s"}) { apiKey } }""".formatted(name))
                .getString("data.createApplication.apiKey");
    }

    /** Creates a provider in the key's application and returns its id. */
    public static int newProvider(String key, String name) {
        return as(key, """
                mutation { createProvider(createProviderInput: {name: "%s", channelType: 1}) { providerId } }"""
                .formatted(name))
                .getInt("data.createProvider.providerId");
    }

    /** Registers a webhook and returns its id. */
    public static String newWebhook(String key, int providerId, String url) {
        return as(key, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "%s"}) { id } }"""
                .formatted(providerId, url))
                .getString("data.webhook.id");
    }

    /** The classification of the first error, asserting there is one. */
    public static String errorClassification(JsonPath answer) {
        return answer.getString("errors[0].extensions.classification");
    }
}
