package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.LogCapture;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;

/** The function files as the migrator applies them, on the test database. */
@QuarkusTest
class FunctionFilesAppliedTest {

    private static final String UTC_TEXT = "SELECT herald_utc_text('2026-01-02 03:04:05+00')";

    @Inject
    SchemaMigrator migrator;

    @Inject
    Database database;

    @Test
    void everyHeraldFunctionInTheDatabaseHasAFile() {
        Set<String> inFiles = new HashSet<>();
        Pattern definition = Pattern.compile("CREATE OR REPLACE FUNCTION (\\w+)\\(");
        for (String name : SchemaMigrator.FUNCTION_FILES) {
            Matcher found = definition.matcher(FunctionFile.load(name).sql());
            while (found.find()) {
                inFiles.add(found.group(1));
            }
        }
        for (Row row : database.query("SELECT DISTINCT proname FROM pg_proc WHERE proname LIKE 'herald\\_%'")) {
            assertTrue(inFiles.contains(row.getString(0)), row.getString(0) + " has no file under db/functions");
        }
    }

    /** ... and says so in one line: dev mode's start is not a list of every file. */
    @Test
    void aFileWhoseChecksumChangedIsAppliedAgain() {
        replaceUtcText();
        database.query("UPDATE herald_function_file SET checksum = 'an older body' WHERE name = 'common.sql'");
        try (LogCapture log = LogCapture.of(SchemaMigrator.class)) {
            migrator.migrate().await().atMost(Duration.ofSeconds(60));
            List<String> said = log.atLeast(Level.INFO).stream().map(LogCapture::message).toList();
            assertEquals(List.of("Database schema at V" + SchemaMigrator.SCRIPTS.size()
                    + ": 0 migrations and 1 SQL function file applied"), said);
        }
        assertEquals("2026-01-02T03:04:05Z", database.query(UTC_TEXT).iterator().next().getString(0));
    }

    /**
     * An older build (it knows one migration fewer) restarting after a newer one migrated: it stops before the
     * function files, so the newer bodies stay, even where its own files differ from what was applied.
     */
    @Test
    void anOlderBuildNeverPutsItsBodiesBack() {
        replaceUtcText(); // stands for the newer build's body
        database.query("UPDATE herald_function_file SET checksum = 'the newer build''s' WHERE name = 'common.sql'");
        try {
            List<String> olderScripts = SchemaMigrator.SCRIPTS.subList(0, SchemaMigrator.SCRIPTS.size() - 1);
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> migrator
                    .migrate(olderScripts, SchemaMigrator.FUNCTION_FILES).await().atMost(Duration.ofSeconds(60)));
            assertTrue(refused.getMessage().contains("newer than this build"), refused.getMessage());
            assertEquals("newer", database.query(UTC_TEXT).iterator().next().getString(0));
        } finally {
            migrator.migrate().await().atMost(Duration.ofSeconds(60));
        }
        assertEquals("2026-01-02T03:04:05Z", database.query(UTC_TEXT).iterator().next().getString(0));
    }

    private void replaceUtcText() {
        database.query("CREATE OR REPLACE FUNCTION herald_utc_text(t timestamptz) RETURNS text LANGUAGE sql"
                + " AS $$ SELECT 'newer'::text $$");
    }
}
