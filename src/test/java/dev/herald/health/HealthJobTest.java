package dev.herald.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * The health job (herald_aggregate_health, run by {@link HealthJob} every 200 ms in tests) folds the attempt log into
 * webhook health following PostgreSQL's snapshot rule: an attempt that an older transaction commits after a newer
 * one's is still folded in, never skipped.
 */
@QuarkusTest
class HealthJobTest extends WithReceiver {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Inject
    Database database;

    @Test
    void anAttemptCommittedLateByAnOlderTransactionIsFoldedIn() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        SqlConnection older = pool.getConnection().await().atMost(BOUND);
        try {
            Transaction transaction = older.begin().await().atMost(BOUND);
            // the older transaction logs a failure (its id is taken now) and stays open
            older.query(logAttempt(webhook, false)).execute().await().atMost(BOUND);
            long olderId = older.query("SELECT herald_transaction_id()").execute().await().atMost(BOUND).iterator()
                    .next().getLong(0);
            // a newer one logs a success and commits first
            database.query(logAttempt(webhook, true));
            // the job goes on up to the open transaction (not beyond it), so it folds in neither attempt yet
            await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> watermark() >= olderId);
            assertEquals("0 succeeded, 0 failed", counts(webhook), "folded in while an older transaction was open");

            transaction.commit().await().atMost(BOUND);
        } finally {
            older.close().await().atMost(BOUND);
        }
        database.awaitHealthFoldedIn();
        assertEquals("1 succeeded, 1 failed", counts(webhook), "both attempts, whatever order they committed in");
    }

    private static String logAttempt(long webhook, boolean succeeded) {
        return "INSERT INTO delivery_log (delivery_id, event_id, event_accepted_at, created_at, logged_at, application_id,"
                + " status, attempt_count, attempted_at, duration_ms, status_code, error, webhook_id, succeeded, logged_by)"
                + " VALUES (-" + webhook + ", -1, clock_timestamp(), clock_timestamp(), clock_timestamp(), 0, 0, 1,"
                + " clock_timestamp(), 5, " + (succeeded ? "200, NULL" : "500, 'http_500'") + ", " + webhook + ", "
                + succeeded + ", herald_transaction_id())";
    }

    private long watermark() {
        return database.query("SELECT logged_before FROM health_watermark").iterator().next().getLong(0);
    }

    private String counts(long webhook) {
        var rows = database.query("SELECT coalesce((SELECT sum(x) FROM unnest(succeeded) x), 0) AS ok,"
                + " coalesce((SELECT sum(x) FROM unnest(failed) x), 0) AS failed"
                + " FROM endpoint_health WHERE webhook_id = " + webhook);
        if (rows.size() == 0) {
            return "0 succeeded, 0 failed";
        }
        Row row = rows.iterator().next();
        return row.getLong("ok") + " succeeded, " + row.getLong("failed") + " failed";
    }
}
