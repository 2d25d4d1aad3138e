package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Receiver;

/**
 * PostgreSQL fails under a replica that is delivering: stopped and started again, every backend terminated, the
 * whole server frozen for 10 s. Each time nothing accepted is lost, only attempts in flight may arrive twice, and
 * deliveries flow again within 10 s of the database answering.
 */
class PostgresFaultsIT extends FaultTier {

    @AfterEach
    void databaseIsBack() {
        database.thaw();
        database.queryLong("SELECT 1");
    }

    @Test
    void stoppedForFiveSecondsAndStartedAgain() throws Exception {
        survives("postgres-restart", () -> {
            database.stop();
            Thread.sleep(5_000);
            database.start();
            return Instant.now();
        });
    }

    @Test
    void everyBackendTerminated() throws Exception {
        survives("postgres-terminate", () -> {
            assertTrue(database.terminateClientBackends() > 0, "Herald had no connection to terminate");
            return Instant.now();
        });
    }

    @Test
    void frozenForTenSeconds() throws Exception {
        survives("postgres-freeze", () -> {
            database.freeze();
            Thread.sleep(10_000);
            database.thaw();
            return Instant.now();
        });
    }

    /** A fault that answers when the database answers again. */
    interface Fault {
        Instant strike() throws Exception;
    }

    private void survives(String name, Fault fault) throws Exception {
        try (Receiver receiver = new Receiver();
                Herald herald = Herald.named(name)
                        .with("HERALD_DELIVERY_MAX_PER_MINUTE_PER_ENDPOINT", "100000")
                        .start(database);
                Flow flow = Flow.to(herald, receiver, name, 10, Duration.ofMillis(400))) {
            // 200 notifications to 10 endpoints: 2,000 deliveries, which take about 8 s at 10 in flight per
            // endpoint, so most are waiting when the fault strikes
            flow.produce(20, 10, Duration.ofMillis(10));
            flow.awaitProducer(Duration.ofSeconds(30));
            receiver.awaitTotal(200, Duration.ofSeconds(20));
            Instant answering = fault.strike();

            flow.awaitEverythingAccepted(Duration.ofSeconds(60));
            Instant resumed = flow.firstArrivalAfter(answering);
            assertNotNull(resumed, "nothing arrived after the database answered again");
            assertTrue(Duration.between(answering, resumed).toMillis() <= 10_000,
                    "delivering again " + Duration.between(answering, resumed) + " after the database answered");
            assertTrue(flow.duplicates() <= 100, flow.duplicates() + " duplicates: more than could be in flight");
            assertEquals(200, flow.accepted().size());
        }
    }
}
