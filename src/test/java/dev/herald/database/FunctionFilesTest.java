package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * One home per SQL function: each is defined in exactly one file under db/functions, and the migrations that come
 * after the function files (from {@link #FIRST_WITHOUT_FUNCTIONS} on) define none: a change to a function is a diff
 * of its file.
 */
class FunctionFilesTest {

    /** The first migration written after the functions moved to db/functions. */
    static final int FIRST_WITHOUT_FUNCTIONS = 18;

    private static final Pattern DEFINITION = Pattern.compile("CREATE\\s+(OR\\s+REPLACE\\s+)?FUNCTION\\s+(\\w+)\\s*\\(",
            Pattern.CASE_INSENSITIVE);

    @Test
    void everyFunctionIsDefinedInExactlyOneFile() {
        Map<String, List<String>> homes = new HashMap<>();
        for (String name : SchemaMigrator.FUNCTION_FILES) {
            Matcher definition = DEFINITION.matcher(FunctionFile.load(name).sql());
            while (definition.find()) {
                homes.computeIfAbsent(definition.group(2), f -> new ArrayList<>()).add(name);
            }
        }
        assertTrue(homes.size() > 10, "the function files define Herald's functions: " + homes.keySet());
        homes.forEach((function, files) -> assertEquals(1, files.size(), function + " is defined in " + files));
    }

    @Test
    void functionFilesReplaceRatherThanCreate() {
        for (String name : SchemaMigrator.FUNCTION_FILES) {
            Matcher definition = DEFINITION.matcher(FunctionFile.load(name).sql());
            while (definition.find()) {
                assertTrue(definition.group(1) != null, name + ": " + definition.group(2)
                        + " must be CREATE OR REPLACE, so that the file can be applied again");
            }
        }
    }

    /**
     * A function file changed at the schema version replicas of the previous build also run at would be put back
     * by them when they restart: the change must come with a new migration (db/function-checksums.txt says how).
     */
    @Test
    void aChangedFunctionFileShipsWithANewMigration() throws IOException {
        List<String> recorded;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("db/function-checksums.txt")) {
            recorded = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        }
        int recordedAt = Integer.parseInt(recorded.get(0).substring("version ".length()));
        List<Migration> migrations = SchemaMigrator.SCRIPTS.stream().map(Migration::load).toList();
        int latest = migrations.get(migrations.size() - 1).version();
        Map<String, String> checksums = new HashMap<>();
        recorded.subList(1, recorded.size()).forEach(line -> checksums.put(line.split(" ")[0], line.split(" ")[1]));
        for (String name : SchemaMigrator.FUNCTION_FILES) {
            String now = FunctionFile.load(name).checksum();
            if (recordedAt == latest) {
                assertEquals(checksums.get(name), now, "db/functions/" + name + " changed at schema version " + latest
                        + ", the version replicas of the previous build run at: ship the change with a new migration"
                        + " (V" + (latest + 1) + "), then record its checksum " + now + " in"
                        + " src/test/resources/db/function-checksums.txt under version " + (latest + 1));
            } else {
                assertEquals(latest, recordedAt, "record the function files' checksums at version " + latest
                        + " in src/test/resources/db/function-checksums.txt (" + name + ": " + now + ")");
            }
        }
    }

    @Test
    void newerMigrationsDefineNoFunction() {
        for (String script : SchemaMigrator.SCRIPTS) {
            Migration migration = Migration.load(script);
            if (migration.version() >= FIRST_WITHOUT_FUNCTIONS) {
                Matcher definition = DEFINITION.matcher(migration.sql());
                assertTrue(!definition.find(), script + " defines " + (definition.hitEnd() ? "" : definition.group(2))
                        + ": functions live in db/functions");
            }
        }
    }
}
