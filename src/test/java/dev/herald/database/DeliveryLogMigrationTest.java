package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgException;

/**
 * V37 moves the history and the attempts into the delivery log. Here it runs on tables of the previous schema's
 * shape, made in a schema of their own ahead of {@code public} on the search path, in a transaction rolled back:
 * the cases a database in use holds, each to be found in the log once, and nothing else.
 */
@QuarkusTest
class DeliveryLogMigrationTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    /** The tables V37 reads, as V36 left them (the columns it reads), with a chain of partitions. */
    private static final String PREVIOUS = """
            CREATE SCHEMA v36;
            SET LOCAL search_path = v36, public;
            CREATE TABLE herald_partition (name text PRIMARY KEY, parent text NOT NULL, lower timestamptz NOT NULL,
                                           upper timestamptz NOT NULL);
            CREATE TABLE delivery (id bigint PRIMARY KEY, event_id bigint, webhook_id bigint,
                                   event_accepted_at timestamptz, created_at timestamptz, application_id int,
                                   status smallint DEFAULT 0, attempt_count int DEFAULT 1);
            CREATE TABLE delivery_history (id bigint, event_id bigint, event_accepted_at timestamptz, webhook_id bigint,
                                           application_id int, status smallint, attempt_count int,
                                           created_at timestamptz, finished_at timestamptz)
                PARTITION BY RANGE (finished_at);
            CREATE TABLE delivery_attempt (delivery_id bigint, attempt_number int, attempted_at timestamptz,
                                           duration_ms int, status_code smallint, error text, response_excerpt text,
                                           webhook_id bigint, succeeded boolean, logged_by bigint)
                PARTITION BY RANGE (attempted_at);
            CREATE VIEW all_deliveries AS SELECT id FROM delivery;
            -- the history's chain starts two days ago (retention dropped what was before); the attempts' a day earlier
            SELECT herald_create_partition('delivery_history', now() - interval '2 days', now() + interval '1 hour');
            SELECT herald_create_partition('delivery_attempt', now() - interval '3 days', now() + interval '1 hour');
            -- 1: waiting, tried twice; 7: waiting, tried before the history's chain began
            INSERT INTO delivery VALUES (1, 11, 100, now(), now() - interval '1 minute', 5, 0, 2),
                                        (7, 17, 100, now(), now() - interval '3 days', 5, 0, 1);
            INSERT INTO delivery_history VALUES
                (2, 12, now(), 100, 5, 2, 2, now() - interval '1 minute', now() - interval '10 seconds'),
                (3, 13, now(), 100, 5, 3, 1, now() - interval '1 minute', now() - interval '10 seconds'),
                (4, 14, now(), 100, 5, 3, 2, now() - interval '1 minute', now() - interval '10 seconds'),
                (5, 15, now(), 100, 5, 2, 1, now() - interval '1 minute', now() - interval '10 seconds');
            INSERT INTO delivery_attempt VALUES
                (1, 1, now() - interval '50 seconds', 5, 500, 'http_500', NULL, 100, false, 1),
                (1, 2, now() - interval '40 seconds', 5, 500, 'http_500', NULL, 100, false, 1),
                -- 2: failed once, then delivered
                (2, 1, now() - interval '50 seconds', 5, 500, 'http_500', NULL, 100, false, 1),
                (2, 2, now() - interval '20 seconds', 5, 200, NULL, 'ok', 100, true, 1),
                -- 3: none (it ended without a request); 4: tried once, then ended without a request
                (4, 1, now() - interval '50 seconds', 5, 500, 'http_500', NULL, 100, false, 1),
                -- 5: its one attempt logged twice
                (5, 1, now() - interval '40 seconds', 5, 500, 'http_500', NULL, 100, false, 1),
                (5, 1, now() - interval '30 seconds', 5, 200, NULL, NULL, 100, true, 1),
                -- 6: its delivery is gone (its webhook deleted)
                (6, 1, now() - interval '50 seconds', 5, 200, NULL, NULL, 100, true, 1),
                (7, 1, now() - interval '70 hours', 5, 500, 'http_500', NULL, 100, false, 1);
            """;

    @Inject
    Pool pool;

    @Test
    void everyAttemptAndEveryOutcomeIsLoggedOnce() {
        List<String> rows = inRolledBackTransaction(connection -> {
            run(connection, PREVIOUS);
            run(connection, Migration.load("V37__one_delivery_log.sql").sql());
            List<String> logged = new ArrayList<>();
            for (Row row : connection.query("""
                    SELECT delivery_id, attempt_count, status, attempted_at IS NOT NULL AS sent, status_code,
                           logged_at = (SELECT min(lower) FROM herald_partition WHERE parent = 'delivery_log') AS first
                      FROM delivery_log ORDER BY delivery_id, attempted_at NULLS LAST""").execute().await()
                    .atMost(BOUND)) {
                logged.add("%d#%d %d %s %s%s".formatted(row.getLong(0), row.getInteger(1), row.getInteger(2),
                        row.getBoolean(3) ? "sent" : "unsent", row.getInteger(4),
                        row.getBoolean(5) ? " first" : ""));
            }
            return logged;
        });

        assertEquals(List.of(
                "1#1 0 sent 500", "1#2 0 sent 500",
                "2#1 0 sent 500", "2#2 2 sent 200",
                "3#1 3 unsent null",
                "4#1 0 sent 500", "4#2 3 unsent null",
                "5#1 0 sent 500", "5#1 2 sent 200",
                "7#1 0 sent 500 first"), rows);
    }

    @Test
    void theViewsRefuseWrites() {
        for (String write : List.of("DELETE FROM delivery_history", "DELETE FROM delivery_attempt",
                "UPDATE delivery_history SET status = 3",
                "INSERT INTO delivery_attempt (delivery_id, attempt_number) VALUES (1, 1)")) {
            Throwable refused = inRolledBackTransaction(connection -> {
                try {
                    run(connection, write);
                    return null;
                } catch (PgException expected) {
                    return expected;
                }
            });
            assertTrue(refused instanceof PgException e && e.getMessage().contains("view"),
                    write + " was not refused: " + refused);
        }
    }

    private <T> T inRolledBackTransaction(Function<SqlConnection, T> work) {
        SqlConnection connection = pool.getConnection().await().atMost(BOUND);
        try {
            run(connection, "BEGIN");
            return work.apply(connection);
        } finally {
            try {
                run(connection, "ROLLBACK");
            } finally {
                connection.close().await().atMost(BOUND);
            }
        }
    }

    private static void run(SqlConnection connection, String sql) {
        connection.query(sql).execute().await().atMost(BOUND);
    }
}
