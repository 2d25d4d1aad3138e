package dev.herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * bench/run's PostgreSQL: the same embedded server as dev mode and tests, on a given port, until killed
 * (its shutdown hook stops the server and deletes the data). Prints {@code READY <port>} when it accepts
 * connections.
 */
public final class BenchPostgres {

    private BenchPostgres() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Files.createTempDirectory("herald-bench-postgres");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("synchronous_commit", "on")
                .start();
        System.out.println("READY " + postgres.getPort());
        System.out.flush();
        Thread.currentThread().join(); // until bench/run kills this process
    }
}
