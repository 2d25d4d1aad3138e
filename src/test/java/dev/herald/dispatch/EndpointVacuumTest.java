package dev.herald.dispatch;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
    void theEndpointTableIsVacuumedWithinTwoIntervals() {
        OffsetDateTime since = database.query("SELECT now()").iterator().next().getOffsetDateTime(0);
        // last_vacuum is set by VACUUM only; autovacuum sets last_autovacuum
        await("endpoint_state vacuumed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> database.query("SELECT last_vacuum FROM pg_stat_user_tables"
                        + " WHERE relname = 'endpoint_state'").iterator().next().getOffsetDateTime(0),
                        last -> last != null && last.isAfter(since));
    }
}
