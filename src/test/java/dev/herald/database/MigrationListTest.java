package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** A script added under db/migration but not to {@link SchemaMigrator#SCRIPTS} would never run. */
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
}
