package dev.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What ingest refuses, and how: a status, a message that names the field or header and the rule, never the
 * parser's internals, and nothing stored. Sent with the JDK's client, which adds no header of its own (no
 * Content-Type unless told).
 */
@QuarkusTest
class CleanRefusalsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/events")
    URI events;

    @Inject
    Database database;

    String key;
    int provider;

    @BeforeEach
    void application() {
        key = GraphQL.newApplication("refusals");
        provider = GraphQL.newProvider(key, "smtp");
    }

    /** Status and message of a POST; asserts nothing was stored. */
    private Answer post(byte[] body, Map<String, String> headers) throws Exception {
        long before = database.count("event");
        HttpRequest.Builder request = HttpRequest.newBuilder(events).header("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(before, database.count("event"), "nothing stored");
        JsonNode json = answer.body().isEmpty() ? JSON.nullNode() : JSON.readTree(answer.body());
        return new Answer(answer.statusCode(), json.path("message").asText(""));
    }

    private record Answer(int status, String message) {
    }

    private Answer postJson(String body) throws Exception {
        return post(body.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
    }

    @Test
    void noContentTypeIs415NamingTheHeader() throws Exception {
        Answer answer = post(("{\"providerId\": " + provider + "}").getBytes(StandardCharsets.UTF_8), Map.of());
        assertEquals(415, answer.status());
        assertEquals("Content-Type: the header is missing; send Content-Type: application/json", answer.message());
    }

    @Test
    void anotherContentTypeOrCharsetIs415() throws Exception {
        byte[] body = ("{\"providerId\": " + provider + "}").getBytes(StandardCharsets.UTF_8);
        Answer text = post(body, Map.of("Content-Type", "text/plain"));
        assertEquals(415, text.status());
        assertEquals("Content-Type: must be application/json, not text/plain", text.message());
        Answer latin = post(body, Map.of("Content-Type", "application/json; charset=iso-8859-1"));
        assertEquals(415, latin.status());
        assertTrue(latin.message().startsWith("Content-Type: the charset must be utf-8"), latin.message());
    }

    @Test
    void utf16And32BodiesAre415() throws Exception {
        String body = "{\"providerId\": " + provider + "}";
        for (Charset charset : new Charset[] { StandardCharsets.UTF_16, StandardCharsets.UTF_16LE,
                Charset.forName("UTF-32") }) {
            Answer answer = post(body.getBytes(charset), Map.of("Content-Type", "application/json"));
            assertEquals(415, answer.status(), charset.name());
            assertTrue(answer.message().startsWith("body: must be JSON in UTF-8"), answer.message());
        }
    }

    @Test
    void nulAndUnpairedSurrogatesAreRefusedNamingTheirPath() throws Exception {
        Answer nul = postJson("{\"providerId\": " + provider + ", \"data\": {\"text\": \"a\\u0000b\"}}");
        assertEquals(400, nul.status());
        assertEquals("data.text: a string holds the character NUL (\\u0000), which Herald cannot store; leave it out",
                nul.message());
        Answer cut = postJson("[{\"providerId\": " + provider + "}, {\"providerId\": " + provider
                + ", \"data\": {\"parts\": [\"ok\", \"\\ud83d\"]}}]");
        assertEquals(400, cut.status());
        assertTrue(cut.message().startsWith("[1].data.parts[1]: a string holds an unpaired UTF-16 surrogate (\\ud83d)"),
                cut.message());
        Answer lowAlone = postJson("{\"providerId\": " + provider + ", \"\\ude00\": 1}");
        assertEquals(400, lowAlone.status());
        // the parser itself refuses a surrogate alone in a member name, and says where
        assertEquals("body: malformed JSON at line 1, column 27: Unexpected low surrogate in field name: 0xde00",
                lowAlone.message());
    }

    @Test
    void aWholeEmojiPasses() throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(events).header("x-api-key", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"providerId\": " + provider
                        + ", \"data\": \"\\ud83d\\ude00 😀\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, answer.statusCode(), answer.body());
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() throws Exception {
        String deep = "[".repeat(70) + "]".repeat(70);
        Answer answer = postJson("{\"providerId\": " + provider + ", \"data\": " + deep + "}");
        assertEquals(400, answer.status());
        assertTrue(answer.message().contains("nested more than 64 levels deep"), answer.message());
    }

    @Test
    void malformedJsonNamesWhereButNotTheParser() throws Exception {
        Answer answer = postJson("{\"providerId\": 1,\n \"x\": tru}");
        assertEquals(400, answer.status());
        assertTrue(answer.message().startsWith("body: malformed JSON at line 2, column"), answer.message());
        assertFalse(answer.message().contains("Source"), answer.message());
        assertFalse(answer.message().contains("StreamRead"), answer.message());
        Answer huge = postJson("{\"providerId\": " + provider + ", \"n\": " + "9".repeat(2_000) + "}");
        assertEquals(400, huge.status());
        assertEquals("body: holds a number or string longer than Herald reads", huge.message());
    }

    @Test
    void anEmptyIdempotencyKeyIsRefused() throws Exception {
        Answer answer = post(("{\"providerId\": " + provider + "}").getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json", "Idempotency-Key", ""));
        assertEquals(400, answer.status());
        assertEquals("Idempotency-Key: must be 1 to 255 characters", answer.message());
    }
}
