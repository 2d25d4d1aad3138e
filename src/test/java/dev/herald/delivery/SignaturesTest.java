package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SignaturesTest {

    @Test
    void reproducesTheStandardWebhooksSpecVector() {
        byte[] key = SigningKeys.keyOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        String signature = Signatures.standard(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    void legacyIsHexHmacSha512OfTheBody() {
        // RFC 4231 test case 2
        assertEquals("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                Signatures.legacyHex("Jefe".getBytes(StandardCharsets.UTF_8),
                        "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void duringRotationBothSignaturesTravelSpaceSeparatedNewestFirst() {
        String current = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String previous = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new SigningKeys(current, previous, null).headers("msg_1", 10L, body);
        assertEquals(Signatures.standard(SigningKeys.keyOf(current), "msg_1", 10L, body) + " "
                + Signatures.standard(SigningKeys.keyOf(previous), "msg_1", 10L, body), headers.get("webhook-signature"));
        assertEquals(1, headers.size());
    }
}
