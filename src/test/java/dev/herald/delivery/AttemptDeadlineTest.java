package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.ManualDispatch;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The attempt deadline (herald.delivery.timeout, 2 s in this profile) ends the request in every stage: connecting,
 * the TLS handshake, waiting for the answer, and an answer whose body drips forever. The outcome is a timeout
 * recorded at the deadline, and the receiver sees its connection closed then: no request outlives its outcome.
 * A request whose claim's lease has passed is never started.
 */
@Slow
@QuarkusTest
@TestProfile(ManualDispatch.class)
class AttemptDeadlineTest {

    private static final long DEADLINE_MS = 2_000;
    /** How late a cut may come: timers, a loaded machine. */
    private static final long SLACK_MS = 700;

    @Inject
    WebhookSender sender;

    @Test
    void aReceiverThatNeverAnswersIsCutAtTheDeadline() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/silent", Receiver.Behaviour.silent());
            AttemptResult result = send(receiver.url("/silent"), Long.MAX_VALUE);
            assertTimedOut(result);
            Receiver.Received request = receiver.at("/silent").get(0);
            assertClosedByDeadline(request.at(), request.connectionClosed());
        }
    }

    @Test
    void anAnswerWhoseBodyDripsForeverIsCutAtTheDeadline() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/drip", Receiver.Behaviour.drip(Duration.ofMillis(100)));
            AttemptResult result = send(receiver.url("/drip"), Long.MAX_VALUE);
            assertTimedOut(result);
            Receiver.Received request = receiver.at("/drip").get(0);
            assertClosedByDeadline(request.at(), request.connectionClosed());
        }
    }

    @Test
    void aTlsHandshakeThatNeverEndsIsCutAtTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Instant> closed = new CompletableFuture<>();
            CompletableFuture<Instant> accepted = new CompletableFuture<>();
            Thread server = new Thread(() -> holdUntilClosed(silent, accepted, closed));
            server.start();
            AttemptResult result = send("https://127.0.0.1:" + silent.getLocalPort() + "/tls", Long.MAX_VALUE);
            assertTimedOut(result);
            assertClosedByDeadline(accepted.get(5, TimeUnit.SECONDS), closed);
        }
    }

    @Test
    void aConnectionThatIsNeverAcceptedIsGivenUpAtTheDeadline() throws Exception {
        // a listener that never accepts, its backlog filled: the next connect waits on a SYN that is dropped
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 8 && connects(full.getLocalPort(), queued); i++) {
                    // fill the accept queue
                }
                AttemptResult result = send("http://127.0.0.1:" + full.getLocalPort() + "/never", Long.MAX_VALUE);
                assertTimedOut(result);
            } finally {
                for (Socket socket : queued) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aRequestWhoseLeaseHasPassedIsNeverSent() throws Exception {
        try (Receiver receiver = new Receiver()) {
            AttemptResult result = send(receiver.url("/late"), System.nanoTime() - 1);
            assertTrue(!result.sent(), result.toString());
            assertTrue(result.error().contains("lease"), result.error());
            assertEquals(0, receiver.connections(), "nothing was even connected");
        }
    }

    @Test
    void theLeaseEndsARequestBeforeItsTimeoutDoes() throws Exception {
        try (Receiver receiver = new Receiver()) {
            receiver.answer("/slow", Receiver.Behaviour.silent());
            long started = System.nanoTime();
            AttemptResult result = send(receiver.url("/slow"), started + Duration.ofMillis(700).toNanos());
            assertEquals("timeout", result.error());
            assertTrue(result.durationMs() < DEADLINE_MS - 500, "cut at the lease, after " + result.durationMs() + " ms");
            Receiver.Received request = receiver.at("/slow").get(0);
            Instant closed = request.connectionClosed().get(5, TimeUnit.SECONDS);
            assertTrue(Duration.between(request.at(), closed).toMillis() < 700 + SLACK_MS);
        }
    }

    private AttemptResult send(String url, long leaseEndsNanos) {
        SigningKeys keys = new SigningKeys("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), null,
                null);
        OutgoingRequest request = new OutgoingRequest(1, url, "msg_deadline", "{}", keys, java.util.List.of(), null, leaseEndsNanos,
                Long.MAX_VALUE, Duration.ofSeconds(2), ReceiverAccess.NONE); // the profile's herald.delivery.timeout
        return sender.send(request).await().atMost(Duration.ofSeconds(15));
    }

    private static void assertTimedOut(AttemptResult result) {
        assertEquals("timeout", result.error(), result.toString());
        assertTrue(result.durationMs() >= DEADLINE_MS - 100 && result.durationMs() < DEADLINE_MS + SLACK_MS,
                "ended after " + result.durationMs() + " ms, not at the 2 s deadline");
    }

    private static void assertClosedByDeadline(Instant opened, CompletableFuture<Instant> closed) throws Exception {
        Instant at = closed.get(DEADLINE_MS + 3_000, TimeUnit.MILLISECONDS);
        long openMs = Duration.between(opened, at).toMillis();
        assertTrue(openMs < DEADLINE_MS + SLACK_MS, "the connection stayed open " + openMs + " ms");
    }

    private static boolean connects(int port, List<Socket> queued) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            queued.add(socket);
            return true;
        } catch (IOException full) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to close
            }
            return false;
        }
    }

    /** Accepts one connection, never writes, and notes when the other side closed it. */
    private static void holdUntilClosed(ServerSocket server, CompletableFuture<Instant> accepted,
            CompletableFuture<Instant> closed) {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
            accepted.complete(Instant.now());
            while (in.read() != -1) {
                // the client hello, then nothing: the handshake never goes on
            }
            closed.complete(Instant.now());
        } catch (IOException reset) {
            closed.complete(Instant.now());
        }
    }
}
