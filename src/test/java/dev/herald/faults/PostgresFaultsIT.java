package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Pause;
import dev.herald.testing.Receiver;

/**
 * PostgreSQL fails under a replica that is delivering: stopped and started again, every backend terminated, the
 * whole server frozen for 10 s. Each time nothing accepted is lost, only attempts in flight may arrive twice, and
 * deliveries flow again within 10 s of the database answering. One replica lives through the three faults, each
 * test beginning once it is ready again.
 */
class PostgresFaultsIT extends FaultTier {

    private static Herald herald;

    @BeforeAll
    static void start() throws Exception {
        herald = Herald.named("postgres-faults")
                .with("HERALD_DELIVERY_MAX_PER_MINUTE_PER_ENDPOINT", "100000")
                .with("HERALD_DISPATCH_STALL_TIMEOUT", "3s")
                .with("HERALD_METRICS_REFRESH_INTERVAL", "1s")
                .start(Postgres.shared());
    }

    @AfterAll
    static void stop() throws Exception {
        if (herald != null) {
            herald.close();
        }
    }

    @AfterEach
    void databaseIsBack() {
        database.thaw();
        database.queryLong("SELECT 1");
        awaitStatus(herald, "/q/health/ready", 200);
    }

    @Test
    void stoppedForFiveSecondsAndStartedAgain() throws Exception {
        survives("postgres-restart", herald -> {
            database.stop();
            Pause.because(Duration.ofSeconds(5), "the fault: the database is down five seconds");
            database.start();
            return Instant.now();
        });
    }

    @Test
    void everyBackendTerminated() throws Exception {
        survives("postgres-terminate", herald -> {
            assertTrue(database.terminateClientBackends() > 0, "Herald had no connection to terminate");
            return Instant.now();
        });
    }

    @Test
    void frozenForTenSeconds() throws Exception {
        survives("postgres-freeze", herald -> {
            database.freeze();
            Pause.because(Duration.ofSeconds(6), "the fault: frozen past the 3 s stall timeout, not yet ten seconds");
            // the rounds waiting on the database have been stuck past the stall timeout (3 s here): not ready (the
            // database check may not even answer); still live (that takes five times as long), so a short stall
            // restarts nothing; the gauges say how stale they are
            assertTrue(herald.status("/q/health/ready") != 200, "ready while the database is frozen");
            assertEquals(200, herald.status("/q/health/live"));
            assertTrue(gaugesAge(herald) > 3, "gauges " + gaugesAge(herald) + " s old");
            Pause.because(Duration.ofSeconds(4), "the fault: the rest of the ten seconds frozen");
            database.thaw();
            Instant answering = Instant.now();
            awaitStatus(herald, "/q/health/ready", 200);
            awaitGaugesFresh(herald);
            return answering;
        });
    }

    /** A fault that answers when the database answers again. */
    interface Fault {
        Instant strike(Herald herald) throws Exception;
    }

    private static double gaugesAge(Herald herald) throws Exception {
        return herald.get("/q/metrics").lines().filter(l -> l.startsWith("herald_database_gauges_age_seconds "))
                .mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElseThrow();
    }

    private static void awaitGaugesFresh(Herald herald) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            double age = gaugesAge(herald);
            assertTrue(age <= 2, "the gauges stayed stale: " + age + " s");
        });
    }

    private static void awaitStatus(Herald herald, String path, int status) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertEquals(status, herald.status(path), path));
    }

    private void survives(String name, Fault fault) throws Exception {
        try (Receiver receiver = new Receiver();
                Flow flow = Flow.to(herald, receiver, name, 10, Duration.ofMillis(400))) {
            // 200 notifications to 10 endpoints: 2,000 deliveries, which take about 8 s at 10 in flight per
            // endpoint, so most are waiting when the fault strikes
            flow.produce(20, 10, Duration.ofMillis(10));
            flow.awaitProducer(Duration.ofSeconds(30));
            receiver.awaitTotal(200, Duration.ofSeconds(20));
            Instant answering = fault.strike(herald);

            flow.awaitEverythingAccepted(Duration.ofSeconds(60));
            Instant resumed = flow.firstArrivalAfter(answering);
            assertNotNull(resumed, "nothing arrived after the database answered again");
            assertTrue(Duration.between(answering, resumed).toMillis() <= 10_000,
                    "delivering again " + Duration.between(answering, resumed) + " after the database answered");
            assertTrue(flow.duplicates() <= 100, flow.duplicates() + " duplicates: more than could be in flight");
            assertEquals(200, flow.accepted().size());
            System.out.printf("FAULT %s: 2,000 of 2,000 delivered, delivering again %d ms after the database answered,"
                    + " %d duplicates%n", name, Duration.between(answering, resumed).toMillis(), flow.duplicates());
        }
    }
}
