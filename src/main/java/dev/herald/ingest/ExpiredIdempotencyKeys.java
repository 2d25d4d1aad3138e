package dev.herald.ingest;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Forgets idempotency keys older than {@code herald.ingest.idempotency-window}, every minute, in batches of 5,000
 * rows a statement (locked with SKIP LOCKED, so replicas doing it at once share the work rather than wait). The
 * table holds one row per key used within the window, so each round deletes about a minute's worth of keys.
 */
@ApplicationScoped
public class ExpiredIdempotencyKeys {

    private static final Logger LOG = Logger.getLogger(ExpiredIdempotencyKeys.class);
    private static final int BATCH = 5_000;
    /** Batches in one round at most; what is left waits for the next round. */
    private static final int MAX_BATCHES = 20;
    private static final long EVERY_MS = 60_000;
    private static final String DELETE_EXPIRED = """
            DELETE FROM event_idempotency WHERE ctid = ANY(ARRAY(
                SELECT ctid FROM event_idempotency
                 WHERE accepted_at < clock_timestamp() - $1 * interval '1 millisecond'
                 ORDER BY accepted_at LIMIT $2 FOR UPDATE SKIP LOCKED))""";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    IngestConfig config;

    private long timer = -1;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 20) StartupEvent event) {
        timer = vertx.setPeriodic(EVERY_MS, id -> purge().subscribe().with(
                deleted -> {
                },
                failure -> LOG.warnf("Forgetting expired idempotency keys failed (%s); it runs again in a minute",
                        failure)));
    }

    void onStop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /** One round: answers how many keys were forgotten. */
    public Uni<Integer> purge() {
        return batch(0, 0);
    }

    private Uni<Integer> batch(int done, int deleted) {
        return pool.preparedQuery(DELETE_EXPIRED)
                .execute(Tuple.of(config.idempotencyWindow().toMillis(), BATCH))
                .chain(rows -> rows.rowCount() == BATCH && done + 1 < MAX_BATCHES
                        ? batch(done + 1, deleted + rows.rowCount())
                        : Uni.createFrom().item(deleted + rows.rowCount()));
    }
}
