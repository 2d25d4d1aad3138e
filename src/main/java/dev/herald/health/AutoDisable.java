package dev.herald.health;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.metrics.DeliveryMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Switches off webhooks whose attempts have all failed for {@code herald.delivery.disable-after}
 * ({@code herald_disable_failing}), checking a tenth of that period apart (between 1 s and 10 s). Every replica
 * checks; the statement locks what it changes, so each webhook is switched off, counted and logged once.
 */
@ApplicationScoped
public class AutoDisable {

    private static final Logger LOG = Logger.getLogger(AutoDisable.class);
    private static final int MAX_ROWS = 100;
    private static final String DISABLE = "SELECT webhook_id, failing_since, last_error"
            + " FROM herald_disable_failing($1, $2)";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DeliveryMetrics metrics;

    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 20) StartupEvent event) {
        long every = Math.max(1_000, Math.min(10_000, delivery.disableAfter().toMillis() / 10));
        timer = vertx.setPeriodic(every, id -> check().subscribe().with(
                switchedOff -> {
                },
                failure -> LOG.warnf("Checking for webhooks to switch off failed (%s); it runs again in %d ms",
                        failure, every)));
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /** One check: answers how many webhooks it switched off. */
    public Uni<Integer> check() {
        Duration after = delivery.disableAfter();
        return pool.preparedQuery(DISABLE).execute(Tuple.of(after.toMillis(), MAX_ROWS)).map(rows -> {
            rows.forEach(row -> {
                metrics.webhookAutoDisabled();
                LOG.infof("Webhook %d switched off: only failures since %s, longer than herald.delivery.disable-after"
                        + " (%s); last error: %s. Its deliveries wait until its owner switches it on",
                        row.getLong("webhook_id"), row.getOffsetDateTime("failing_since").toInstant(), after,
                        row.getString("last_error"));
            });
            return rows.rowCount();
        });
    }
}
