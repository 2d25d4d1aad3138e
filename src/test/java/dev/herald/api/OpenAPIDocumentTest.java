package dev.herald.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * The REST API's OpenAPI document (served at {@code /q/openapi}) is valid, describes every REST resource, and
 * describes each answer as Herald gives it: every status Herald answers is described, with its required headers
 * and the required members of its body.
 */
@QuarkusTest
class OpenAPIDocumentTest {

    private static final Pattern CLASS_PATH = Pattern.compile("^@Path\\(\"([^\"]+)\"\\)", Pattern.MULTILINE);
    private static final Pattern VERB = Pattern.compile("^\\s+@(GET|POST|PUT|PATCH|DELETE)\\s*$", Pattern.MULTILINE);

    private static OpenAPI document;

    @Inject
    Database database;

    /** The served document, read and validated once (RestAssured knows the port once a test runs). */
    private static OpenAPI document() {
        if (document != null) {
            return document;
        }
        String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        ParseOptions options = new ParseOptions();
        options.setResolveFully(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(json, null, options);
        assertTrue(parsed.getMessages() == null || parsed.getMessages().isEmpty(),
                "the document is valid OpenAPI: " + parsed.getMessages());
        document = parsed.getOpenAPI();
        assertNotNull(document);
        return document;
    }

    /**
     * Every JAX-RS resource method of the sources is in the document: read from the source files (loading the
     * classes here would load them beside the running application's).
     */
    @Test
    void everyRestResourceIsDescribed() throws IOException {
        List<String> resources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher type = CLASS_PATH.matcher(source);
                if (!type.find()) {
                    continue;
                }
                Matcher verb = VERB.matcher(source);
                while (verb.find()) {
                    resources.add(verb.group(1).toLowerCase() + " " + type.group(1));
                }
                assertTrue(!source.substring(type.end()).contains("@Path("),
                        file + ": a method's own @Path is not read here; describe it and teach this test");
            }
        }
        assertTrue(resources.contains("post /v1/events"), "the resources were found: " + resources);
        for (String resource : resources) {
            String[] verbAndPath = resource.split(" ", 2);
            PathItem item = document().getPaths().get(verbAndPath[1]);
            assertNotNull(item, resource + " is described in META-INF/openapi.yaml");
            Operation operation = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(
                    verbAndPath[0].toUpperCase()));
            assertNotNull(operation, resource + " is described in META-INF/openapi.yaml");
        }
    }

    @Test
    void everyAnswerOfIngestIsAsDescribed() {
        String key = GraphQL.newApplication("openapi");
        int provider = GraphQL.newProvider(key, "smtp");
        String limited = GraphQL.newApplication("openapi-limited");
        int limitedProvider = GraphQL.newProvider(limited, "smtp");
        int limitedId = database.query("SELECT application_id FROM provider WHERE id = " + limitedProvider).iterator()
                .next().getInteger(0);
        GraphQL.as(GraphQL.ADMIN_KEY, "mutation { setApplicationLimits(applicationLimitsInput: {applicationId: "
                + limitedId + ", maxEventsPerSecond: 1}) { own } }");
        String event = Events.notification(1, provider);

        assertAsDescribed(202, post(key).body(event));
        assertAsDescribed(202, post(key).header("Idempotency-Key", "openapi-1")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").body(event));
        assertAsDescribed(400, post(key).body("{\"providerId\": "));
        assertAsDescribed(401, post("not-a-key").body(event));
        assertAsDescribed(403, post(GraphQL.ADMIN_KEY).body(event));
        assertAsDescribed(404, post(key).body(Events.notification(1, 987_654)));
        assertAsDescribed(409, post(key).header("Idempotency-Key", "openapi-1").body(Events.notification(2, provider)));
        assertAsDescribed(413, post(key).body("{\"providerId\": " + provider + ", \"data\": \"" + "x".repeat(300_000)
                + "\"}"));
        assertAsDescribed(415, given().header("x-api-key", key).body(event));
        assertAsDescribed(202, post(limited).body(Events.notification(1, limitedProvider)));
        assertAsDescribed(429, post(limited).body(Events.notification(2, limitedProvider)));
    }

    private static RequestSpecification post(String key) {
        return given().header("x-api-key", key).contentType("application/json");
    }

    private static void assertAsDescribed(int expected, RequestSpecification request) {
        Response answer = request.post("/v1/events");
        String body = answer.asString();
        assertEquals(expected, answer.statusCode(), body);
        ApiResponse described = document().getPaths().get("/v1/events").getPost().getResponses()
                .get(Integer.toString(answer.statusCode()));
        assertNotNull(described, answer.statusCode() + " is described: " + body);
        if (described.getHeaders() != null) {
            described.getHeaders().forEach((name, header) -> {
                if (Boolean.TRUE.equals(header.getRequired())) {
                    assertNotNull(answer.header(name), answer.statusCode() + " carries " + name + " as described");
                }
            });
        }
        if (described.getContent() != null) {
            assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
            Schema<?> schema = described.getContent().get("application/json").getSchema();
            Map<String, Object> members = answer.jsonPath().getMap("$");
            for (String required : schema.getRequired()) {
                assertTrue(members.containsKey(required), answer.statusCode() + " has " + required + ": " + body);
            }
        }
    }
}
