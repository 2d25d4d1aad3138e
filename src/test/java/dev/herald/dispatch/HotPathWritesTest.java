package dev.herald.dispatch;

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
                .chain(() -> one(connection, "SELECT count(*) AS claimed FROM herald_claim(ARRAY[" + webhook
                        + "::bigint], " + DELIVERIES + ", 100000, 60000, " + DELIVERIES + ", 60000, " + DELIVERIES
                        + ", '{}', '{}', " + DELIVERIES + ", 1000)"))
                .chain(claimed -> one(connection, "SELECT " + claimed.getLong("claimed") + " AS claimed,"
                        + " pg_stat_get_xact_tuples_updated('delivery'::regclass) AS updated,"
                        + " pg_stat_get_xact_tuples_hot_updated('delivery'::regclass) AS heap_only")));

        assertEquals(DELIVERIES, counts.getLong("claimed"), "every delivery is claimed");
        assertEquals(DELIVERIES, counts.getLong("updated"), "one new version of each claimed row");
        assertEquals(DELIVERIES, counts.getLong("heap_only"), "claimed rows whose new version is heap-only");
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
                .chain(() -> one(connection, "SELECT pg_stat_get_xact_tuples_updated('endpoint_state'::regclass)"
                        + " AS before"))
                .chain(before -> run(connection, "SELECT herald_wake_endpoints(ARRAY[" + due + ", " + parked
                        + "]::bigint[], ARRAY[clock_timestamp(), clock_timestamp()])")
                        .chain(() -> one(connection, "SELECT pg_stat_get_xact_tuples_updated("
                                + "'endpoint_state'::regclass) - " + before.getLong("before") + " AS written,"
                                + " (SELECT next_check_at < 'infinity' FROM endpoint_state WHERE webhook_id = "
                                + parked + ") AS parked_woken,"
                                + " (SELECT next_check_at < now() FROM endpoint_state WHERE webhook_id = " + due
                                + ") AS due_kept"))));

        assertEquals(1, counts.getLong("written"), "only the parked endpoint's row is written");
        assertEquals(true, counts.getBoolean("parked_woken"), "the parked endpoint is woken");
        assertEquals(true, counts.getBoolean("due_kept"), "the due endpoint keeps its earlier due time");
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
