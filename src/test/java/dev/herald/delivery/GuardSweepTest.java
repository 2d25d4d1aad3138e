package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;

/** A guard per endpoint while it is attempted; forgotten once it has been idle well past the attempt timeout. */
@QuarkusTest
class GuardSweepTest {

    @Inject
    EndpointGuards guards;

    @Inject
    DeliveryConfig config;

    @Test
    void anEndpointsGuardIsKeptWhileRecentAndForgottenWhenIdle() throws Exception {
        long webhookId = 9_000_001L; // no such webhook: the guard map is keyed by id alone
        try (Receiver receiver = new Receiver()) {
            int before = guards.guarded();
            AttemptResult result = guards.attempt(new OutgoingRequest(webhookId, receiver.url("/sweep"), "msg_sweep",
                    "{}", new SigningKeys("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null, null)))
                    .await().atMost(java.time.Duration.ofSeconds(10));
            assertEquals(200, result.statusCode());
            assertEquals(before + 1, guards.guarded());

            guards.forgetIdle(System.nanoTime()); // just used: kept
            assertEquals(before + 1, guards.guarded());

            long muchLater = System.nanoTime() + config.timeout().plus(EndpointGuards.IDLE_AFTER_TIMEOUT).toNanos()
                    + 1_000_000_000L;
            guards.forgetIdle(muchLater);
            assertEquals(0, guards.guarded(), "every guard idle past the timeout is forgotten");
        }
    }
}
