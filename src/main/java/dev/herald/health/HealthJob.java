package dev.herald.health;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.dispatch.FailureRun;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Folds the attempts completions log into webhook health ({@code herald_aggregate_health}) every
 * {@code herald.delivery.health-interval}, so that a completion writes no health row, and announces the runs of failures
 * that began or ended (operational events). Every replica runs it; an
 * advisory lock lets one at a time do the work, and the others' rounds answer at once. A round that leaves attempts
 * waiting goes on at once, at most {@link #MAX_ROUNDS} calls a tick.
 */
@ApplicationScoped
public class HealthJob {

    private static final Logger LOG = Logger.getLogger(HealthJob.class);
    /** Attempts one call folds in, about (whole transactions at a time). */
    public static final int MAX_ATTEMPTS = 20_000;
    private static final int MAX_ROUNDS = 20;
    /* $1 attempts at most, $2 herald.delivery.failing-after */
    public static final String FOLD = "SELECT attempts, more FROM herald_aggregate_health($1, $2)";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    DeliveryConfig delivery;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean stopping;
    private final FailureRun failures = new FailureRun(LOG, "Folding attempts into webhook health", () -> stopping);
    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 20) StartupEvent event) {
        timer = vertx.setPeriodic(delivery.healthInterval().toMillis(), id -> tick());
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        vertx.cancelTimer(timer);
    }

    private void tick() {
        if (!running.compareAndSet(false, true)) {
            return;  // the last tick is still folding
        }
        foldWaiting(0).subscribe().with(
                folded -> {
                    running.set(false);
                    failures.succeeded();
                },
                failure -> {
                    running.set(false);
                    failures.failed(failure);
                });
    }

    private Uni<Integer> foldWaiting(int round) {
        return pool.preparedQuery(FOLD).execute(Tuple.of(MAX_ATTEMPTS, Math.max(1, delivery.failingAfter()))).flatMap(rows -> {
            Row folded = rows.iterator().next();
            if (folded.getBoolean("more") && round + 1 < MAX_ROUNDS) {
                return foldWaiting(round + 1).map(more -> more + folded.getInteger("attempts"));
            }
            return Uni.createFrom().item(folded.getInteger("attempts"));
        });
    }
}
