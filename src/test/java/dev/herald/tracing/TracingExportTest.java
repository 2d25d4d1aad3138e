package dev.herald.tracing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.FastFailures;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.OtlpCollector;
import dev.herald.testing.Receiver;
import dev.herald.testing.WithReceiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * With the SDK on, a producer's trace reaches every attempt: the request and its retry carry a traceparent of the
 * producer's trace, and ingest, fan-out and each attempt are exported as spans to a real OTLP/HTTP receiver (the
 * protobuf bodies are searched for the trace id, the span ids sent and the span names).
 */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class TracingExportTest extends WithReceiver implements LeavesNoDeliveries {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PRODUCER = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void aProducersTraceReachesEveryAttemptAndTheSpansAreExported() throws Exception {
        receiver.answerOnce("/traced", new Receiver.Behaviour(503, Duration.ZERO));
        GraphQL.newWebhook(key, provider, receiver.url("/traced"));
        given().header("x-api-key", key).header("traceparent", PRODUCER).contentType(ContentType.JSON)
                .body(Events.notification(1, provider)).post("/v1/events").then().statusCode(202);

        List<Receiver.Received> attempts = receiver.await("/traced", r -> r.size() == 2, Duration.ofSeconds(20));
        String first = attempts.get(0).headers().get("traceparent");
        String retry = attempts.get(1).headers().get("traceparent");
        for (String sent : List.of(first, retry)) {
            assertTrue(sent.matches("00-" + TRACE_ID + "-[0-9a-f]{16}-01"), sent);
            assertNotEquals(PRODUCER, sent, "each attempt is a span of its own");
        }
        assertNotEquals(first, retry);

        for (String spanName : List.of("herald attempt", "herald fan-out", "/v1/events")) {
            awaitExported(spanName.getBytes(StandardCharsets.UTF_8), spanName);
        }
        awaitExported(HexFormat.of().parseHex(TRACE_ID), "the producer's trace id");
        awaitExported(HexFormat.of().parseHex(first.substring(36, 52)), "the first attempt's span id");
        awaitExported(HexFormat.of().parseHex(retry.substring(36, 52)), "the retry's span id");
    }

    private static void awaitExported(byte[] wanted, String what) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertTrue(
                OtlpCollector.bodies().stream().anyMatch(body -> contains(body, wanted)),
                () -> what + " was not exported (" + OtlpCollector.bodies().size() + " exports)"));
    }

    private static boolean contains(byte[] body, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= body.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (body[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
