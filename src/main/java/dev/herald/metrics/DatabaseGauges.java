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

/**
 * Gauges read from the database on a timer, never per scrape: the backlog, the age of its oldest delivery and
 * the webhooks by state. Every replica reports the same cluster-wide values; dashboards take the max.
 */
@Singleton
public class DatabaseGauges {

    private static final Logger LOG = Logger.getLogger(DatabaseGauges.class);

    private static final String READ = """
            SELECT (SELECT count(*) FROM delivery WHERE status IN (0, 1)) AS backlog,
                   (SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)
                      FROM delivery WHERE status IN (0, 1)) AS oldest_age,
                   (SELECT count(*) FROM webhook WHERE status = 1) AS active,
                   (SELECT count(*) FROM webhook WHERE status = 0) AS inactive""";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    MetricsConfig config;

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong inactive = new AtomicLong();
    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 20) StartupEvent event) {
        Gauge.builder("herald.outbox.backlog", backlog, AtomicLong::get)
                .description("Deliveries not yet final (pending or in flight), all replicas").register(registry);
        Gauge.builder("herald.outbox.oldest.pending.age", oldestAgeMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds").description("Age of the oldest delivery not yet final").register(registry);
        Gauge.builder("herald.endpoints", active, AtomicLong::get).tag("state", "active")
                .description("Webhooks by state").register(registry);
        Gauge.builder("herald.endpoints", inactive, AtomicLong::get).tag("state", "inactive")
                .description("Webhooks by state").register(registry);
        refresh();
        timer = vertx.setPeriodic(config.refreshInterval().toMillis(), id -> refresh());
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    private void refresh() {
        pool.query(READ).execute().subscribe().with(rows -> {
            Row row = rows.iterator().next();
            backlog.set(row.getLong("backlog"));
            oldestAgeMillis.set(Math.round(row.getNumeric("oldest_age").doubleValue() * 1000));
            active.set(row.getLong("active"));
            inactive.set(row.getLong("inactive"));
        }, failure -> LOG.debug("Could not refresh the database gauges", failure));
    }
}
