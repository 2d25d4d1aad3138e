package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The test database was made new by the migrations: the bridge at the end of the legacy partitions lasts a second,
 * not the minute it lasts on a database that was in use, so partitions of the configured interval follow at once
 * (the fault tier's {@code SchemaUpgradeIT} keeps the minute on a database in use).
 */
@QuarkusTest
class NewDatabasePartitionsTest {

    @Inject
    Database database;

    @Test
    void theBridgeOfANewDatabaseLastsASecond() {
        for (String parent : new String[] { "event", "delivery_log" }) {
            var bridge = database.query("""
                    SELECT extract(epoch FROM b.upper - b.lower) AS seconds,
                           (SELECT count(*) FROM herald_partition n WHERE n.parent = b.parent AND n.lower = b.upper) AS next
                      FROM herald_partition b
                     WHERE b.parent = '%s'
                       AND b.lower = (SELECT l.upper FROM herald_partition l WHERE l.parent = b.parent
                                       AND l.lower = '-infinity')""".formatted(parent)).iterator().next();
            double seconds = bridge.getNumeric("seconds").doubleValue();
            assertTrue(seconds > 0 && seconds <= 2, parent + "'s bridge lasts " + seconds + " s");
            assertEquals(1L, bridge.getLong("next"), parent + ": the configured partitions follow it");
        }
    }
}
