package dev.herald.devreceiver;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/** The quick start's receiver: dev mode delivers to it, and it tells whether the signature verified. */
@QuarkusTest
class EchoReceiverTest {

    @Test
    void aDeliveryToTheEchoReceiverIsKeptWithAVerifiedSignature() {
        String key = GraphQL.newApplication("EchoReceiverTest");
        int provider = GraphQL.newProvider(key, "smtp");
        GraphQL.newWebhook(key, provider, "http://localhost:" + RestAssured.port + EchoReceiver.PATH);
        String body = Events.notification(4711, provider);
        Events.post(key, body);

        Map<String, Object> kept = await().atMost(Duration.ofSeconds(10)).until(() -> newest(body), r -> r != null);
        assertEquals(true, kept.get("signatureValid"));
        assertTrue(((String) kept.get("webhookId")).startsWith("msg_"), "the delivery's webhook-id: " + kept);
    }

    @Test
    void aRequestThatHeraldDidNotSignIsKeptAsNotVerified() {
        String body = "{\"forged\": true}";
        given().contentType("application/json").header("webhook-id", "msg_forged")
                .header("webhook-timestamp", "1700000000").header("webhook-signature", "v1,AAAA")
                .body(body).post(EchoReceiver.PATH).then().statusCode(204);
        Map<String, Object> kept = newest(body);
        assertEquals(false, kept.get("signatureValid"));
        assertEquals("msg_forged", kept.get("webhookId"));
    }

    private static Map<String, Object> newest(String body) {
        List<Map<String, Object>> all = given().get(EchoReceiver.PATH).then().statusCode(200).extract().jsonPath()
                .getList("$");
        return all.stream().filter(r -> body.equals(r.get("body"))).findFirst().orElse(null);
    }
}
