package dev.herald.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One versioned SQL script under {@code db/migration/}, named {@code V<version>__<description>.sql}: tables, indexes
 * and data, frozen once applied. Functions live in {@link FunctionFile}s.
 */
record Migration(int version, String description, String sql) {

    static final String LOCATION = "db/migration/";

    /**
     * A script of comments only is refused at once: PostgreSQL answers it as an empty query, and the reactive client
     * was seen waiting on that answer until the start-up timed out (five minutes, with no word of why).
     */
    Migration {
        String statements = sql.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("--[^\n]*", "").strip();
        if (statements.isEmpty()) {
            throw new IllegalStateException("Migration V" + version + " (" + description + ") holds no statement");
        }
    }

    static Migration load(String fileName) {
        String[] parts = fileName.substring(1, fileName.length() - ".sql".length()).split("__", 2);
        try (InputStream in = Migration.class.getClassLoader().getResourceAsStream(LOCATION + fileName)) {
            if (in == null) {
                throw new IllegalStateException("Migration " + LOCATION + fileName + " is not on the class path");
            }
            return new Migration(Integer.parseInt(parts[0]), parts[1].replace('_', ' '),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Detects a script edited after it was applied somewhere. */
    String checksum() {
        return sha256(sql);
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
