package dev.herald.metrics;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Gauges read from the database on a timer, never per scrape: the backlog, the age of its oldest delivery, the
 * deliveries held for switched-off webhooks, the webhooks by state, the events waiting for fan-out and those set
 * aside. Every replica reports the same
 * cluster-wide values; dashboards take the max. Deliveries held for a switched-off webhook are not backlog: nothing
 * may be done about them until their owner switches the webhook on. When the database cannot be read the gauges
 * keep their last values, and {@code herald_database_gauges_age_seconds} says how old those are.
 *
 * <p>Each reading is also written as the backlog of its minute (table {@code backlog_minute}, the last hour only, so a
 * minute keeps its last reading): the operator's chart of the backlog over the last hour. One small write per reading
 * and replica, next to a statement that counts the whole hot table.
 */
@Singleton
public class DatabaseGauges {

    private static final Logger LOG = Logger.getLogger(DatabaseGauges.class);

    private static final String READ = """
            WITH waiting AS (
                SELECT w.status = 1 AS active, count(*) AS n, min(d.created_at) AS oldest
                  FROM delivery d JOIN webhook w ON w.id = d.webhook_id
                 WHERE d.status IN (0, 1)
                 GROUP BY w.status = 1)
            SELECT herald_minute(clock_timestamp()) AS minute,
                   coalesce((SELECT n FROM waiting WHERE active), 0) AS backlog,
                   coalesce((SELECT extract(epoch FROM clock_timestamp() - oldest) FROM waiting WHERE active), 0)
                       AS oldest_age,
                   coalesce((SELECT n FROM waiting WHERE NOT active), 0) AS held,
                   (SELECT count(*) FROM webhook WHERE status = 1) AS active,
                   (SELECT count(*) FROM webhook WHERE status = 0) AS inactive,
                   -- fan-out's queue and a small partial index; counted up to a bound, so a deep backlog reads fast
                   (SELECT count(*) FROM (SELECT 1 FROM event_pending LIMIT 1000000) w)
                       AS waiting_events,
                   (SELECT count(*) FROM (SELECT 1 FROM event WHERE fan_out_error IS NOT NULL LIMIT 1000000) a)
                       AS set_aside_events""";

    /** $2, the backlog just read, as minute $1's (the minute's last reading stays), and only the last hour kept. */
    static final String RECORD = """
            WITH expired AS (DELETE FROM backlog_minute WHERE minute < $1 - 59)
            INSERT INTO backlog_minute (minute, backlog) VALUES ($1, $2)
                ON CONFLICT (minute) DO UPDATE SET backlog = excluded.backlog""";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    MetricsConfig config;

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    /** When the gauges were last read, on the monotonic clock; 0 before the first reading. */
    private final AtomicLong readAtNanos = new AtomicLong();
    private volatile boolean failing;
    /** A reading under way: a database that hangs must not collect one waiting reading per interval. */
    private final java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong inactive = new AtomicLong();
    private final AtomicLong waitingEvents = new AtomicLong();
    private final AtomicLong setAsideEvents = new AtomicLong();
    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 20) StartupEvent event) {
        Gauge.builder("herald.outbox.backlog", backlog, AtomicLong::get)
                .description("Deliveries not yet final (pending or in flight), all replicas").register(registry);
        Gauge.builder("herald.outbox.oldest.pending.age", oldestAgeMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds").description("Age of the oldest delivery not yet final").register(registry);
        Gauge.builder("herald.outbox.held", held, AtomicLong::get)
                .description("Deliveries held for switched-off webhooks, all replicas").register(registry);
        Gauge.builder("herald.database.gauges.age", readAtNanos, DatabaseGauges::secondsSince).baseUnit("seconds")
                .description("How old the database gauges' values are (refreshed every herald.metrics.refresh-interval"
                        + " while the database answers)").register(registry);
        Gauge.builder("herald.endpoints", active, AtomicLong::get).tag("state", "active")
                .description("Webhooks by state").register(registry);
        Gauge.builder("herald.endpoints", inactive, AtomicLong::get).tag("state", "inactive")
                .description("Webhooks by state").register(registry);
        Gauge.builder("herald.events.waiting", waitingEvents, AtomicLong::get)
                .description("Events in the outbox not yet fanned out, all replicas (counted up to a million)")
                .register(registry);
        Gauge.builder("herald.events.set.aside.now", setAsideEvents, AtomicLong::get)
                .description("Events set aside because their fan-out failed, waiting for the operator, all replicas")
                .register(registry);
        refresh();
        timer = vertx.setPeriodic(config.refreshInterval().toMillis(), id -> refresh());
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    private void refresh() {
        if (!reading.compareAndSet(false, true)) {
            return;
        }
        pool.query(READ).execute().eventually(() -> reading.set(false)).subscribe().with(rows -> {
            Row row = rows.iterator().next();
            backlog.set(row.getLong("backlog"));
            oldestAgeMillis.set(Math.round(row.getNumeric("oldest_age").doubleValue() * 1000));
            held.set(row.getLong("held"));
            active.set(row.getLong("active"));
            inactive.set(row.getLong("inactive"));
            waitingEvents.set(row.getLong("waiting_events"));
            setAsideEvents.set(row.getLong("set_aside_events"));
            readAtNanos.set(System.nanoTime());
            record(row.getLong("minute"), row.getLong("backlog"));
            if (failing) {
                failing = false;
                LOG.info("The database gauges are read again");
            }
        }, failure -> {
            if (!failing) {
                failing = true;
                LOG.warnf("The database gauges cannot be read (%s); they keep their last values and"
                        + " herald_database_gauges_age_seconds grows until the database answers", failure.toString());
            }
        });
    }

    /** Records a reading as its minute's backlog; one that fails is left out (the next reading writes the minute). */
    private void record(long minute, long value) {
        pool.preparedQuery(RECORD).execute(Tuple.of(minute, value)).subscribe().with(done -> {
        }, failure -> LOG.debugf("The backlog of minute %d was not recorded (%s)", minute, failure));
    }

    /** What the backlog gauges show now, or null before their first reading. */
    public BacklogReading lastReading() {
        long at = readAtNanos.get();
        return at == 0 ? null
                : new BacklogReading(backlog.get(), held.get(), oldestAgeMillis.get() / 1000.0, secondsSince(readAtNanos));
    }

    private static double secondsSince(AtomicLong readAtNanos) {
        long at = readAtNanos.get();
        return at == 0 ? Double.NaN : (System.nanoTime() - at) / 1e9;
    }
}
