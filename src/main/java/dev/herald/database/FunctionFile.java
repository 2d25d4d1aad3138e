package dev.herald.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One file under {@code db/functions/}: the current definitions of the SQL functions of one transition of a delivery
 * ({@code CREATE OR REPLACE FUNCTION ...}, and their settings). Unlike a migration it is edited in place; the
 * migrator applies it again when its checksum changes.
 */
record FunctionFile(String name, String sql) {

    static final String LOCATION = "db/functions/";

    static FunctionFile load(String fileName) {
        try (InputStream in = FunctionFile.class.getClassLoader().getResourceAsStream(LOCATION + fileName)) {
            if (in == null) {
                throw new IllegalStateException("Function file " + LOCATION + fileName + " is not on the class path");
            }
            return new FunctionFile(fileName, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String checksum() {
        return Migration.sha256(sql);
    }
}
