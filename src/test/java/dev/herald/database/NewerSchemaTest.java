package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import io.quarkus.test.junit.QuarkusTest;

/** A database migrated by a newer Herald (a rolled-back deploy) stops this one at startup, saying what to do. */
@QuarkusTest
class NewerSchemaTest {

    @Inject
    SchemaMigrator migrator;

    @Inject
    Database database;

    @Test
    void aSchemaNewerThanTheBuildIsRefused() {
        int next = SchemaMigrator.SCRIPTS.size() + 1;
        database.query("INSERT INTO herald_schema_history (version, description, checksum) VALUES (" + next
                + ", 'from the future', 'x')");
        try {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> migrator.migrate().await().atMost(Duration.ofSeconds(30)));
            assertTrue(refused.getMessage().contains("schema is at version " + next + ", newer than this build"),
                    refused.getMessage());
            assertTrue(refused.getMessage().contains("restore the backup"), refused.getMessage());
        } finally {
            database.query("DELETE FROM herald_schema_history WHERE version = " + next);
        }
    }
}
