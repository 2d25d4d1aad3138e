package dev.herald.tracing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * With tracing off (the default), the trace context is still carried: from the ingest header or a producer's
 * INSERT to the attempt, as a child in the same trace; an invalid header is ignored.
 */
@QuarkusTest
class TraceContextTest extends WithReceiver {

    @Inject
    Database database;

    @Test
    void theTraceContextIsCarriedWithTracingOff() throws Exception {
        GraphQL.newWebhook(key, provider, receiver.url("/hook"));
        post("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", 1);
        post("not-a-traceparent", 2);
        database.query("INSERT INTO event (provider_id, payload, traceparent) VALUES (" + provider
                + ", '{\"id\": 3}', '00-11111111111111111111111111111111-2222222222222222-00')");

        var received = receiver.await("/hook", r -> r.size() == 3, Duration.ofSeconds(10));
        for (var request : received) {
            String body = request.bodyText();
            String sent = request.headers().get("traceparent");
            if (body.contains("\"id\": 1,")) {
                assertTrue(sent.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01"), sent);
                assertNotEquals("b7ad6b7169203331", sent.substring(36, 52), "a child span id");
            } else if (body.contains("\"id\": 2,")) {
                assertNull(sent, "an invalid traceparent is ignored");
            } else {
                assertTrue(sent.matches("00-11111111111111111111111111111111-[0-9a-f]{16}-00"), sent);
            }
        }
    }

    private void post(String traceparent, int id) {
        given().header("x-api-key", key).header("traceparent", traceparent).contentType(ContentType.JSON)
                .body(Events.notification(id, provider)).post("/v1/events").then().statusCode(202);
    }
}
