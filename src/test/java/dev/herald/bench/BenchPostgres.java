package dev.herald.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * bench/run's PostgreSQL: the same embedded server as dev mode and tests, on a given port, until killed
 * (its shutdown hook stops the server and deletes the data). Prints {@code READY <port>} when it accepts
 * connections. Arguments: port [folder for PostgreSQL's log file, postgresql.log]. {@code BENCH_PG_SETTINGS}, if
 * set, adds or overrides server settings for a closer look, as space-separated {@code name=value} pairs (no spaces
 * in a value), e.g. {@code shared_preload_libraries=pg_stat_statements,auto_explain auto_explain.log_min_duration=0}.
 */
public final class BenchPostgres {

    private BenchPostgres() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path data = Files.createTempDirectory("herald-bench-postgres");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (args.length > 1) { // PostgreSQL's own log, as a file in that folder
            builder.setServerConfig("logging_collector", "on")
                    .setServerConfig("log_directory", Path.of(args[1]).toAbsolutePath().toString())
                    .setServerConfig("log_filename", "postgresql.log");
        }
        builder.setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("synchronous_commit", "on")
                // the embedded PostgreSQL starts with -F (fsync off, for tests); a benchmark of durable deliveries
                // flushes its WAL as production does (a -c after -F wins)
                .setServerConfig("fsync", "on")
                // what a stall is matched with, second by second: slow statements, lock waits, checkpoints and
                // autovacuum runs (pg_ctl hands these to a shell as one string: no spaces or shell characters)
                .setServerConfig("log_line_prefix", "%m:%p:%a:")
                .setServerConfig("log_min_duration_statement", "200")
                .setServerConfig("log_lock_waits", "on")
                .setServerConfig("deadlock_timeout", "100ms")
                .setServerConfig("log_checkpoints", "on")
                .setServerConfig("log_autovacuum_min_duration", "0");
        String extra = System.getenv().getOrDefault("BENCH_PG_SETTINGS", "").strip();
        for (String setting : extra.isEmpty() ? new String[0] : extra.split("\\s+")) {
            int equals = setting.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("BENCH_PG_SETTINGS: '" + setting + "' is not name=value");
            }
            builder.setServerConfig(setting.substring(0, equals), setting.substring(equals + 1));
        }
        EmbeddedPostgres postgres = builder.start();
        System.out.println("READY " + postgres.getPort());
        System.out.flush();
        Thread.currentThread().join(); // until bench/run kills this process
    }
}
