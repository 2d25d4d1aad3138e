package dev.herald.testing;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Direct SQL for tests, to check what was (or was not) written. */
@ApplicationScoped
public class Database {

    @Inject
    Pool pool;

    public RowSet<Row> query(String sql) {
        return pool.query(sql).execute().await().atMost(Duration.ofSeconds(30));
    }

    /**
     * Runs {@code lockingQuery} (a {@code SELECT ... FOR UPDATE}) in a transaction left open until the answer is
     * closed: the rows it locked stay locked meanwhile, as a slow writer would hold them.
     */
    public HeldLocks holding(String lockingQuery) {
        SqlConnection connection = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        HeldLocks held = new HeldLocks(connection);
        try {
            connection.query("BEGIN").execute().await().atMost(Duration.ofSeconds(10));
            connection.query(lockingQuery).execute().await().atMost(Duration.ofSeconds(10));
            return held;
        } catch (RuntimeException failed) {
            held.close();
            throw failed;
        }
    }

    /** Locks held by an open transaction; closing rolls it back and gives its connection back. */
    public static final class HeldLocks implements AutoCloseable {

        private final SqlConnection connection;
        private boolean closed;

        private HeldLocks(SqlConnection connection) {
            this.connection = connection;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                connection.query("ROLLBACK").execute().await().atMost(Duration.ofSeconds(10));
            } finally {
                connection.close().await().atMost(Duration.ofSeconds(10));
            }
        }
    }

    /**
     * Events still waiting for fan-out (the queue beside the outbox), joined to their rows: {@code WAITING_EVENTS + "
     * WHERE e.provider_id = 7"}.
     */
    public static final String WAITING_EVENTS = "event_pending w JOIN event e ON e.id = w.event_id"
            + " AND e.accepted_at = w.event_accepted_at";

    public long count(String table) {
        return query("SELECT count(*) FROM " + table).iterator().next().getLong(0);
    }

    /** Waits (bounded) until {@code count(table_and_where)} reaches {@code expected}. */
    public void awaitCount(String tableAndWhere, long expected, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertEquals(expected, count(tableAndWhere), "count(" + tableAndWhere + ")"));
    }

    /**
     * Waits (bounded) until the health job has folded in every attempt committed before this call: its watermark
     * has passed every transaction that had ended by then.
     */
    public void awaitHealthFoldedIn() {
        long ended = query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint").iterator().next().getLong(0);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(
                () -> query("SELECT logged_before FROM health_watermark").iterator().next().getLong(0) >= ended);
    }

    /** Forgets every delivery not yet final and empties every endpoint and receiver: leaves no claims to the next test. */
    public void finishEveryDelivery() {
        query("DELETE FROM delivery");
        query("UPDATE endpoint_state SET in_flight = 0, next_check_at = 'infinity'");
        query("UPDATE receiver SET in_flight = 0, window_starts = '{}'");
    }

    /** Row counts of the tenancy and webhook tables, to prove a failed call wrote nothing. */
    public String snapshot() {
        return "application=" + count("application") + " api_key=" + count("api_key") + " provider="
                + count("provider") + " webhook=" + count("webhook");
    }
}
