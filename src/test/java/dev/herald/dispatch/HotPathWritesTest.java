package dev.herald.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What the hot path writes, read from PostgreSQL's own counters of the transaction ({@code pg_stat_get_xact_*}),
 * inside one transaction that is rolled back: the running dispatcher never sees these rows.
 */
@QuarkusTest
class HotPathWritesTest extends WithReceiver {

    private static final int DELIVERIES = 100;

    @Inject
    Pool pool;

    /** A claim changes no indexed column of the hot table, so each claimed row's new version is heap-only. */
    @Test
    void claimingDeliveriesWritesNoIndexEntry() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        Row counts = inRolledBackTransaction(connection -> run(connection,
                "INSERT INTO endpoint_state (webhook_id, next_check_at) VALUES (" + webhook + ", now())"
                        + " ON CONFLICT (webhook_id) DO NOTHING")
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id) SELECT -g, now(), " + webhook + ", 0 FROM generate_series(1, "
                        + DELIVERIES + ") g"))
                .chain(() -> run(connection, "SELECT 1 FROM endpoint_state WHERE webhook_id = " + webhook
                        + " FOR UPDATE"))
                .chain(() -> one(connection, COUNTERS.formatted("delivery")))
                .chain(before -> one(connection, "SELECT count(*) AS claimed FROM herald_claim(ARRAY[" + webhook
                        + "::bigint], " + DELIVERIES + ", 100000, 60000, " + DELIVERIES + ", 60000, " + DELIVERIES
                        + ", '{}', '{}', " + DELIVERIES + ", 1000)")
                        .chain(claimed -> one(connection, "SELECT " + claimed.getLong("claimed") + " AS claimed, "
                                + since(before, "delivery")))));

        assertEquals(DELIVERIES, counts.getLong("claimed"), "every delivery is claimed");
        assertEquals(DELIVERIES, counts.getLong("updated"), "one new version of each claimed row");
        assertEquals(DELIVERIES, counts.getLong("heap_only"), "claimed rows whose new version is heap-only");
    }

    /**
     * A waiting delivery has an entry in four of the hot table's indexes: its id, the queue, and the attempt log's
     * listings by application and by event.
     */
    @Test
    void aWaitingDeliveryWritesFourIndexEntries() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/parked")));
        // parked: no claim looks at these rows, and the webhook's deletion takes them away
        long entries = indexEntriesWritten("delivery",
                connection -> run(connection, "INSERT INTO endpoint_state (webhook_id, next_check_at) VALUES ("
                        + webhook + ", 'infinity') ON CONFLICT (webhook_id) DO UPDATE SET next_check_at = 'infinity'"),
                connection -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id) SELECT -g, now(), " + webhook + ", 0 FROM generate_series(1, "
                        + DELIVERIES + ") g"));
        GraphQL.as(key, "mutation { deleteWebhook(id: \"%s\") }".formatted(webhook));

        assertEquals(4L * DELIVERIES, entries, "index entries written for " + DELIVERIES + " waiting deliveries");
    }

    /**
     * A claim that leaves nothing waiting parks its endpoint (due never: a completion or new work wakes it), and a
     * parked endpoint is not in the index of due times: the row's new version has an entry in its primary key only.
     */
    @Test
    void parkingAnEndpointWritesOnlyItsPrimaryKeyEntry() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/parked")));
        long entries = indexEntriesWritten("endpoint_state",
                // due now, with one delivery waiting; the row is held by this transaction, as a claim holds it
                connection -> run(connection, "INSERT INTO endpoint_state (webhook_id, next_check_at) VALUES ("
                        + webhook + ", now()) ON CONFLICT (webhook_id) DO UPDATE SET next_check_at = now()")
                        .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                                + " application_id) VALUES (-1, now(), " + webhook + ", 0)")),
                // claimed, never sent: the webhook's deletion below takes it away
                connection -> one(connection, "SELECT count(*) FROM herald_claim(ARRAY[" + webhook
                        + "::bigint], 10, 100, 60000, 10, 60000, 10, '{}', '{}', 10, 1000)")
                        .invoke(claimed -> assertEquals(1L, claimed.getLong(0), "the waiting delivery is claimed"))
                        .replaceWithVoid());
        GraphQL.as(key, "mutation { deleteWebhook(id: \"%s\") }".formatted(webhook));

        assertEquals(1L, entries, "index entries the claim wrote into endpoint_state");
    }

    /**
     * A delivery delivered at its first attempt leaves one row in the delivery log (its attempt, with the outcome),
     * which has an entry in three of the log's indexes: by application, by webhook and by event.
     */
    @Test
    void aDeliveryDeliveredAtOnceLogsOneRowWithThreeIndexEntries() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/logged")));
        long entries = indexEntriesWritten("delivery_log",
                // in flight, claimed by nobody who will complete it: the test completes them
                connection -> run(connection, "INSERT INTO endpoint_state (webhook_id, in_flight) VALUES (" + webhook
                        + ", " + DELIVERIES + ") ON CONFLICT (webhook_id) DO UPDATE SET in_flight = excluded.in_flight")
                        .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                                + " application_id, status, attempt_count, claim_token, lease_until)"
                                + " SELECT -g, now(), " + webhook + ", 0, 1, 1, -42, now() + interval '1 hour'"
                                + " FROM generate_series(1, " + DELIVERIES + ") g")),
                connection -> one(connection, "WITH batch AS (SELECT id, true AS delivered FROM delivery"
                        + " WHERE claim_token = -42 AND webhook_id = " + webhook + ")"
                        + " SELECT count(*) FROM " + CompletionPlanTest.completeBatch(webhook, true))
                        .invoke(ended -> assertEquals((long) DELIVERIES, ended.getLong(0), "every outcome recorded"))
                        .replaceWithVoid());
        long rows = pool.query("SELECT count(*) FROM delivery_log WHERE webhook_id = " + webhook).execute()
                .map(found -> found.iterator().next().getLong(0)).await().atMost(Duration.ofSeconds(10));
        GraphQL.as(key, "mutation { deleteWebhook(id: \"%s\") }".formatted(webhook));

        assertEquals(DELIVERIES, rows, "log rows for " + DELIVERIES + " deliveries delivered at once");
        assertEquals(3L * DELIVERIES, entries, "index entries written into the log for them");
    }

    /** pg_walinspect, made once: `IF NOT EXISTS` would answer a notice, which the client logs as a warning. */
    private static final String WALINSPECT = "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_extension"
            + " WHERE extname = 'pg_walinspect') THEN CREATE EXTENSION pg_walinspect; END IF; END $$";

    /**
     * The entries {@code work} added to {@code table}'s B-tree indexes, after {@code setUp} in the same transaction
     * (committed): counted from the WAL it wrote (pg_walinspect: leaf insertions, by the transaction's id), as
     * bench/run counts them.
     */
    private long indexEntriesWritten(String table, Function<SqlConnection, Uni<Void>> setUp,
            Function<SqlConnection, Uni<Void>> work) {
        Row written = pool.withTransaction(connection -> run(connection, WALINSPECT)
                .chain(() -> setUp.apply(connection))
                .chain(() -> one(connection, "SELECT pg_current_xact_id()::text AS xid,"
                        + " pg_current_wal_insert_lsn()::text AS start_lsn"))
                .call(() -> work.apply(connection))
                .chain(started -> one(connection, "SELECT '" + started.getString("xid") + "' AS xid, '"
                        + started.getString("start_lsn") + "' AS start_lsn,"
                        + " pg_current_wal_insert_lsn()::text AS end_lsn")))
                .await().atMost(Duration.ofSeconds(30));
        // pg_walinspect reads only WAL flushed, and the tests' server commits without waiting for the flush
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.preparedQuery(
                "SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn")
                .execute(Tuple.of(written.getString("end_lsn")))
                .map(rows -> rows.iterator().next().getBoolean(0))
                .await().atMost(Duration.ofSeconds(10)));
        return pool.preparedQuery("""
                SELECT count(*) FROM pg_get_wal_block_info($1::pg_lsn, $2::pg_lsn, false) b
                  JOIN pg_index i ON i.indexrelid = pg_filenode_relation(b.reltablespace, b.relfilenode)
                 WHERE b.xid = $3::xid AND b.block_id = 0
                   AND (i.indrelid = $4::regclass  -- the table, or one of its partitions
                        OR i.indrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $4::regclass))
                   AND b.resource_manager = 'Btree'
                   AND (b.record_type IN ('INSERT_LEAF', 'INSERT_POST')
                        OR b.record_type IN ('SPLIT_L', 'SPLIT_R') AND b.description LIKE 'level: 0,%')""")
                .execute(Tuple.of(written.getString("start_lsn"), written.getString("end_lsn"),
                        written.getString("xid"), table))
                .map(rows -> rows.iterator().next().getLong(0))
                .await().atMost(Duration.ofSeconds(30));
    }

    /** A completion logs its attempts with what health needs and writes no health row: the health job folds them in. */
    @Test
    void completingDeliveriesLogsAttemptsAndWritesNoHealth() {
        long webhook = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/unused")));
        Row counts = inRolledBackTransaction(connection -> run(connection,
                "INSERT INTO endpoint_state (webhook_id, in_flight) VALUES (" + webhook + ", " + DELIVERIES + ")"
                        + " ON CONFLICT (webhook_id) DO UPDATE SET in_flight = excluded.in_flight")
                .chain(() -> run(connection, "INSERT INTO delivery (event_id, event_accepted_at, webhook_id,"
                        + " application_id, status, attempt_count, claim_token, lease_until)"
                        + " SELECT -g, now(), " + webhook + ", 0, 1, 1, -42, now() + interval '1 hour'"
                        + " FROM generate_series(1, " + DELIVERIES + ") g"))
                .chain(() -> one(connection, COUNTERS.formatted("endpoint_health")))
                .chain(before -> one(connection, "WITH batch AS (SELECT id, id % 2 = 0 AS delivered FROM delivery"
                        + "  WHERE claim_token = -42 AND webhook_id = " + webhook + ")"
                        + " SELECT count(*) AS ended FROM " + CompletionPlanTest.completeBatch(webhook, true))
                .chain(ended -> one(connection, "SELECT " + ended.getLong("ended") + " AS ended, "
                        + since(before, "endpoint_health") + ","
                        + " (SELECT count(*) FROM delivery_attempt WHERE webhook_id = " + webhook
                        + "   AND succeeded IS NOT NULL AND logged_by = herald_transaction_id()) AS logged"))));

        assertEquals(DELIVERIES, counts.getLong("ended"), "every outcome is recorded");
        assertEquals(DELIVERIES, counts.getLong("logged"), "every attempt is logged with its webhook and result");
        assertEquals(0, counts.getLong("inserted") + counts.getLong("updated"), "health rows a completion wrote");
    }

    /** Waking an endpoint that is already due by then locks its row and leaves it as it is. */
    @Test
    void wakingAnEndpointAlreadyDueWritesNothing() {
        long due = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/due")));
        long parked = Long.parseLong(GraphQL.newWebhook(key, provider, receiver.url("/parked")));
        Row counts = inRolledBackTransaction(connection -> run(connection,
                "INSERT INTO endpoint_state (webhook_id, next_check_at) VALUES (" + due + ", now() - interval '1 s'),"
                        + " (" + parked + ", 'infinity') ON CONFLICT (webhook_id) DO UPDATE"
                        + " SET next_check_at = excluded.next_check_at")
                .chain(() -> one(connection, COUNTERS.formatted("endpoint_state")))
                .chain(before -> run(connection, "SELECT herald_wake_endpoints(ARRAY[" + due + ", " + parked
                        + "]::bigint[], ARRAY[clock_timestamp(), clock_timestamp()])")
                        .chain(() -> one(connection, "SELECT " + since(before, "endpoint_state") + ","
                                + " (SELECT next_check_at < 'infinity' FROM endpoint_state WHERE webhook_id = "
                                + parked + ") AS parked_woken,"
                                + " (SELECT next_check_at < now() FROM endpoint_state WHERE webhook_id = " + due
                                + ") AS due_kept"))));

        assertEquals(1, counts.getLong("updated"), "only the parked endpoint's row is written");
        assertEquals(true, counts.getBoolean("parked_woken"), "the parked endpoint is woken");
        assertEquals(true, counts.getBoolean("due_kept"), "the due endpoint keeps its earlier due time");
    }

    /**
     * A connection's counters of a table: of its current transaction, and of earlier ones on that connection not yet
     * sent to the statistics, so a test reads what a statement added.
     */
    private static final String COUNTERS = "SELECT pg_stat_get_xact_tuples_inserted('%1$s'::regclass) AS inserted,"
            + " pg_stat_get_xact_tuples_updated('%1$s'::regclass) AS updated,"
            + " pg_stat_get_xact_tuples_hot_updated('%1$s'::regclass) AS heap_only";

    /** The columns inserted, updated and heap_only: what was added to {@code table}'s counters since {@code before}. */
    private static String since(Row before, String table) {
        return ("pg_stat_get_xact_tuples_inserted('%1$s'::regclass) - %2$d AS inserted,"
                + " pg_stat_get_xact_tuples_updated('%1$s'::regclass) - %3$d AS updated,"
                + " pg_stat_get_xact_tuples_hot_updated('%1$s'::regclass) - %4$d AS heap_only")
                .formatted(table, before.getLong("inserted"), before.getLong("updated"), before.getLong("heap_only"));
    }

    private Row inRolledBackTransaction(Function<SqlConnection, Uni<Row>> work) {
        return pool.getConnection()
                .flatMap(connection -> connection.begin()
                        .flatMap(transaction -> work.apply(connection).call(transaction::rollback))
                        .eventually(connection::close))
                .await().atMost(Duration.ofSeconds(30));
    }

    private static Uni<Void> run(SqlConnection connection, String sql) {
        return connection.query(sql).execute().replaceWithVoid();
    }

    private static Uni<Row> one(SqlConnection connection, String sql) {
        return connection.query(sql).execute().map(rows -> rows.iterator().next());
    }
}
