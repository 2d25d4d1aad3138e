package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.herald.testing.TemporaryFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL (the embedded binaries) that the fault tests stop, restart, freeze and thaw under running
 * Herald processes. One per test JVM, on a fixed port and data directory so that a restart is the same server.
 * {@code synchronous_commit} is on, as in production: a commit Herald was told of survives a restart.
 */
public final class Postgres {

    private static Postgres shared;

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres server;

    private Postgres(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    /**
     * The test JVM's server, started on first use and stopped when the JVM exits; its data directory (in the tests'
     * temporary directory, under target/) is deleted then.
     */
    public static synchronized Postgres shared() {
        if (shared == null) {
            try {
                shared = new Postgres(Files.createTempDirectory("herald-faults-postgres"), freePort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            shared.start();
            Postgres server = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.stop();
                TemporaryFiles.deleteTree(server.dataDirectory);
            }));
        }
        return shared;
    }

    public int port() {
        return port;
    }

    /** The URL Herald is configured with. */
    public String reactiveUrl() {
        return reactiveUrl("postgres");
    }

    /** The URL of another database on this server. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database on this server (dropped first if a previous run left it). */
    public void createDatabase(String database) {
        execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        execute("CREATE DATABASE " + database);
    }

    /** What the server prints, for a failed fault test's post-mortem. */
    public static final Path SERVER_LOG = Path.of("target", "faults-postgres.log");

    public synchronized void start() {
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "300")
                    // the faults make the server say FATAL and ERROR on purpose: its log goes to a file, not
                    // among the test run's lines
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(SERVER_LOG.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(SERVER_LOG.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start PostgreSQL", e);
        }
    }

    /** A fast shutdown (pg_ctl stop -m fast): every connection is closed, committed work is kept. */
    public synchronized void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = null;
        }
    }

    /**
     * SIGSTOP to the postmaster and every backend: the server holds its sockets and answers nothing. The postmaster
     * stops first, so no backend is forked after the list of its children is read.
     */
    public void freeze() {
        long postmaster = postmaster();
        signal("STOP", List.of(postmaster));
        signal("STOP", children(postmaster));
    }

    /** SIGCONT to every backend, then the postmaster. */
    public void thaw() {
        long postmaster = postmaster();
        signal("CONT", children(postmaster));
        signal("CONT", List.of(postmaster));
    }

    /** Terminates every client backend but this test's own connection; answers how many. */
    public int terminateClientBackends() {
        return (int) queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    }

    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres",
                "postgres");
    }

    public void execute(String sql) {
        execute("postgres", sql);
    }

    public void execute(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row, as a long (0 for SQL NULL). */
    public long queryLong(String sql) {
        return queryLong("postgres", sql);
    }

    public long queryLong(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Every value of the first column. */
    public List<String> queryStrings(String sql) {
        return queryStrings("postgres", sql);
    }

    public List<String> queryStrings(String database, String sql) {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Waits (bounded) until {@code SELECT count(*) FROM <tableAndWhere>} reaches {@code expected}. */
    public void awaitCount(String tableAndWhere, long expected, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertEquals(expected,
                queryLong("SELECT count(*) FROM " + tableAndWhere), "count(" + tableAndWhere + ")"));
    }

    private long postmaster() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> children(long postmaster) {
        return ProcessHandle.of(postmaster).orElseThrow().descendants().map(ProcessHandle::pid).toList();
    }

    /**
     * Signals each process; one that ended between the listing and the signal (a backend that was closing) is no
     * failure.
     */
    private static void signal(String signal, List<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        Processes.run(command, output -> !output.isBlank() && output.lines().allMatch(line -> line.endsWith("No such process")));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Small helpers to run a command to its end. */
    static final class Processes {

        private Processes() {
        }

        static void run(List<String> command) {
            run(command, output -> false);
        }

        /** Runs the command; a non-zero exit whose output {@code tolerated} accepts is no failure. */
        static void run(List<String> command, Predicate<String> tolerated) {
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes());
                if (!process.waitFor(30, TimeUnit.SECONDS)
                        || process.exitValue() != 0 && !tolerated.test(output)) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
