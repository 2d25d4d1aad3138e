package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
