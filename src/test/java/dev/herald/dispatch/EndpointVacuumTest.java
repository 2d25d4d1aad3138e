package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import io.quarkus.test.junit.QuarkusTest;

/** The replica vacuums endpoint_state itself (every 5 s), not only when autovacuum comes by once a minute. */
@QuarkusTest
class EndpointVacuumTest {

    @Inject
    Database database;

    @Test
    void theEndpointTableIsVacuumedWithinTwoIntervals() throws Exception {
        OffsetDateTime since = database.query("SELECT now()").iterator().next().getOffsetDateTime(0);
        long deadline = System.nanoTime() + 15_000_000_000L;
        boolean vacuumed = false;
        while (!vacuumed && System.nanoTime() < deadline) {
            Thread.sleep(250);
            // last_vacuum is set by VACUUM only; autovacuum sets last_autovacuum
            OffsetDateTime last = database.query("SELECT last_vacuum FROM pg_stat_user_tables"
                    + " WHERE relname = 'endpoint_state'").iterator().next().getOffsetDateTime(0);
            vacuumed = last != null && last.isAfter(since);
        }
        assertTrue(vacuumed, "endpoint_state was not vacuumed within 15 s");
    }
}
