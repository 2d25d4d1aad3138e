package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A script added under db/migration but not to {@link SchemaMigrator#SCRIPTS}, or a file added under db/functions but
 * not to {@link SchemaMigrator#FUNCTION_FILES}, would never run.
 */
class MigrationListTest {

    @Test
    void everyScriptOnDiskIsListedInOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources", Migration.LOCATION))) {
            var onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".sql"))
                    .sorted((a, b) -> Integer.compare(Migration.load(a).version(), Migration.load(b).version()))
                    .toList();
            assertEquals(onDisk, SchemaMigrator.SCRIPTS);
        }
    }

    @Test
    void everyFunctionFileOnDiskIsListed() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources", FunctionFile.LOCATION))) {
            var onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
            assertEquals(onDisk, SchemaMigrator.FUNCTION_FILES.stream().sorted().toList());
        }
    }

    /** Sent to PostgreSQL, a script of comments only would hold start-up until its timeout with no word of why. */
    @Test
    void aScriptOfCommentsOnlyIsRefusedByName() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new Migration(99, "placeholder", "-- nothing yet\n/* a statement\n   later */\n  \n"));
        assertTrue(refused.getMessage().contains("V99 (placeholder) holds no statement"), refused.getMessage());
    }
}
