package dev.herald.retention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps the partitions of the history tables ({@code event}, {@code delivery_log}):
 * creates them {@code herald.retention.partitions-ahead} intervals ahead, and drops those whose whole range is
 * older than {@code herald.retention.period} by detaching them concurrently and dropping the detached table, never
 * by deleting rows. Producers, claims and the attempt log go on meanwhile: attaching and detaching concurrently
 * take only a SHARE UPDATE EXCLUSIVE lock on the parent. One replica at a time does it (an advisory lock; the
 * others skip the round). Runs at startup, right after the migrations, and then every quarter interval (between 5
 * s and 5 min).
 */
@ApplicationScoped
public class Partitions {

    private static final Logger LOG = Logger.getLogger(Partitions.class);
    /** Distinct from the migrator's lock ("Herald"). */
    private static final long ADVISORY_LOCK_KEY = 0x4865_7261_6c64_52L;
    /**
     * The shortest interval and period: rounds run at most every 5 s, and a partition's name carries its start to the
     * second. Production keeps days; seconds are for trying retention out (and for the tests of it).
     */
    private static final Duration SHORTEST = Duration.ofSeconds(10);
    private static final List<String> PARENTS = List.of("event", "delivery_log");

    /** A detach of Herald's that was cut short (a crash or a lock timeout between its two transactions). */
    private static final String PENDING_DETACHES = """
            SELECT parent.relname AS parent, child.relname AS name
              FROM pg_inherits i
              JOIN pg_class parent ON parent.oid = i.inhparent
              JOIN pg_class child ON child.oid = i.inhrelid
             WHERE i.inhdetachpending
               AND i.inhparent IN ('event'::regclass, 'delivery_log'::regclass)""";
    /**
     * How long a detach or drop waits for the locks of others (a long backup, a transaction left open) before the
     * round gives up; the next round finishes it. Partitions are made ahead before any of it, so this never
     * holds that back.
     */
    private static final String BOUNDED_WAITS = "SET lock_timeout = '30s'";
    private static final String ATTACHED = "SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1)";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    RetentionConfig config;

    @Inject
    MeterRegistry registry;

    private Counter dropped;
    /** Seconds until the first of the two tables runs out of partitions, as last read. */
    private final AtomicLong coveredAheadSeconds = new AtomicLong();
    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 1) StartupEvent event) {
        if (config.partitionInterval().compareTo(SHORTEST) < 0) {
            throw new IllegalStateException("herald.retention.partition-interval must be at least 10s; it is "
                    + config.partitionInterval());
        }
        if (config.period().compareTo(SHORTEST) < 0) {
            throw new IllegalStateException("herald.retention.period must be at least 10s; it is " + config.period());
        }
        if (config.partitionsAhead() < 1) {
            throw new IllegalStateException("herald.retention.partitions-ahead must be at least 1");
        }
        dropped = Counter.builder("herald.retention.partitions.dropped")
                .description("History partitions dropped by retention").register(registry);
        Gauge.builder("herald.retention.partitions.ahead", coveredAheadSeconds, AtomicLong::get).baseUnit("seconds")
                .description("How long from now the partitions made ahead last (the table that runs out first):"
                        + " nothing can be written past it").register(registry);
        maintain().await().atMost(Duration.ofMinutes(5));
        long every = Math.max(5_000, Math.min(Duration.ofMinutes(5).toMillis(), config.partitionInterval().toMillis() / 4));
        timer = vertx.setPeriodic(every, id -> maintain().subscribe().with(
                done -> {
                },
                failure -> LOG.warnf("Partition maintenance failed (%s); it runs again in %d s", failure, every / 1000)));
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /**
     * One round: create ahead, drop what expired (only on the replica that holds the lock), then read how far
     * ahead the partitions last. Answers how many partitions were dropped; 0 when another replica had the round.
     */
    public Uni<Integer> maintain() {
        return pool.withConnection(connection -> connection
                .preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(ADVISORY_LOCK_KEY))
                .chain(rows -> rows.iterator().next().getBoolean(0)
                        ? underLock(connection).eventually(() -> connection
                                .preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(ADVISORY_LOCK_KEY)))
                        : Uni.createFrom().item(0))
                .call(() -> connection.query("""
                        SELECT coalesce(extract(epoch FROM min(last_upper) - clock_timestamp()), 0)::bigint
                          FROM (SELECT max(upper) AS last_upper FROM herald_partition GROUP BY parent) chains""")
                        .execute().invoke(ahead -> coveredAheadSeconds.set(ahead.iterator().next().getLong(0)))));
    }

    private Uni<Integer> underLock(SqlConnection connection) {
        return extend(connection)
                .chain(() -> run(connection, BOUNDED_WAITS))
                .chain(() -> finishPendingDetaches(connection))
                .chain(() -> dropExpired(connection))
                .eventually(() -> run(connection, "RESET lock_timeout"));
    }

    private Uni<Void> finishPendingDetaches(SqlConnection connection) {
        return connection.query(PENDING_DETACHES).execute().chain(rows -> {
            List<Uni<Void>> steps = new ArrayList<>();
            for (Row row : rows) {
                String parent = row.getString("parent");
                String name = row.getString("name");
                steps.add(run(connection, "ALTER TABLE " + quote(parent) + " DETACH PARTITION " + quote(name) + " FINALIZE"));
            }
            return sequence(steps);
        });
    }

    private Uni<Void> extend(SqlConnection connection) {
        long stepMillis = config.partitionInterval().toMillis();
        long aheadMillis = stepMillis * config.partitionsAhead();
        return sequence(PARENTS.stream().map(parent -> connection
                .preparedQuery("SELECT herald_extend_partitions($1, $2 * interval '1 millisecond',"
                        + " clock_timestamp() + $3 * interval '1 millisecond')")
                .execute(Tuple.of(parent, stepMillis, aheadMillis))
                .invoke(rows -> {
                    int made = rows.iterator().next().getInteger(0);
                    if (made > 0) {
                        LOG.debugf("Created %d partitions of %s ahead", made, parent);
                    }
                })
                .replaceWithVoid()).toList());
    }

    private Uni<Integer> dropExpired(SqlConnection connection) {
        return connection.preparedQuery("SELECT parent, name FROM herald_expired_partitions($1 * interval '1 millisecond')")
                .execute(Tuple.of(config.period().toMillis()))
                .chain(rows -> {
                    List<Uni<Void>> drops = new ArrayList<>();
                    for (Row row : rows) {
                        drops.add(drop(connection, row.getString("parent"), row.getString("name")));
                    }
                    return sequence(drops).replaceWith(drops.size());
                });
    }

    /** Detaches (concurrently: two transactions of its own, so never inside one) and drops one partition. */
    private Uni<Void> drop(SqlConnection connection, String parent, String name) {
        return connection.preparedQuery(ATTACHED).execute(Tuple.of(name))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                        : run(connection, "ALTER TABLE " + quote(parent) + " DETACH PARTITION " + quote(name)
                                + " CONCURRENTLY"))
                .chain(() -> run(connection, "DROP TABLE IF EXISTS " + quote(name)))
                .chain(() -> connection.preparedQuery("DELETE FROM herald_partition WHERE name = $1")
                        .execute(Tuple.of(name)).replaceWithVoid())
                .invoke(() -> {
                    dropped.increment();
                    LOG.infof("Retention dropped partition %s of %s", name, parent);
                });
    }

    private static Uni<Void> run(SqlConnection connection, String sql) {
        return connection.query(sql).execute().replaceWithVoid();
    }

    private static Uni<Void> sequence(List<Uni<Void>> steps) {
        return steps.isEmpty() ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(steps).onItem().transformToUniAndConcatenate(step -> step)
                        .collect().last().replaceWithVoid();
    }

    /** Partition and parent names are Herald's own (letters, digits, underscores), quoted all the same. */
    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
