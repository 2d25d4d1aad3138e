package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Receivers that reset the connection or refuse it: network errors, known at once (not at the deadline), and
 * retried like any failure; a URL stored in a form that no longer parses is refused without a connection.
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class ReceiverFailuresTest {

    @Inject
    WebhookSender sender;

    @Test
    void aResetIsANetworkErrorKnownAtOnce() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/reset", Receiver.Behaviour.reset());
            AttemptResult result = send(receiver.url("/reset"));
            assertTrue(result.error().startsWith("network: "), result.toString());
            assertTrue(result.durationMs() < 1_000, "known at once, not at the deadline: " + result.durationMs() + " ms");
            assertTrue(!result.finalAtOnce(), "retried");
            assertEquals(1, receiver.at("/reset").size());
        }
    }

    @Test
    void aRefusedConnectionIsANetworkError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        AttemptResult result = send("http://127.0.0.1:" + closedPort + "/refused");
        assertEquals("network: connection refused", result.error());
        assertTrue(!result.finalAtOnce(), "retried");
    }

    @Test
    void aStoredUrlThatNoLongerParsesIsRefusedWithoutAConnection() {
        AttemptResult result = send("http://not a host/");
        assertTrue(result.finalAtOnce(), result.toString());
        assertEquals("blocked: not a URL", result.error());
    }

    private AttemptResult send(String url) {
        SigningKeys keys = new SigningKeys("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), null,
                null);
        return sender.send(new OutgoingRequest(1, url, "msg_failures", "{}", keys, java.util.List.of(), null, Long.MAX_VALUE, Long.MAX_VALUE,
                Duration.ofSeconds(30), ReceiverAccess.NONE))
                .await().atMost(Duration.ofSeconds(10));
    }
}
