package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.DeliveryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Turns outbox events into deliveries: one per active webhook of the event's provider at this moment. One
 * statement takes a batch of events ({@code SKIP LOCKED}: replicas share the work), inserts all their
 * deliveries, and wakes the endpoints (rows upserted in id order). Other replicas hear of the new work on
 * {@code herald_dispatch}.
 */
@ApplicationScoped
public class FanOut {

    /* $1 events per batch, $2 attempt limit of a new delivery. */
    private static final String FAN_OUT = """
            WITH batch AS (
                SELECT id, provider_id FROM event
                 WHERE fanned_out_at IS NULL
                 ORDER BY id
                 LIMIT $1
                   FOR UPDATE SKIP LOCKED),
            marked AS (
                UPDATE event SET fanned_out_at = clock_timestamp()
                 WHERE id IN (SELECT id FROM batch)),
            created AS (
                INSERT INTO delivery (event_id, webhook_id, attempt_limit)
                SELECT b.id, w.id, $2
                  FROM batch b JOIN webhook w ON w.provider_id = b.provider_id AND w.status = 1
                 ORDER BY b.id, w.id
             RETURNING webhook_id),
            woken AS (
                INSERT INTO endpoint_state AS e (webhook_id, next_check_at)
                SELECT webhook_id, clock_timestamp() FROM (SELECT DISTINCT webhook_id FROM created) c
                 ORDER BY webhook_id
                    ON CONFLICT (webhook_id) DO UPDATE SET next_check_at = least(e.next_check_at, excluded.next_check_at)
             RETURNING 1)
            SELECT (SELECT count(*) FROM batch) AS events,
                   (SELECT count(*) FROM created) AS deliveries,
                   CASE WHEN EXISTS (SELECT 1 FROM woken) THEN pg_notify('herald_dispatch', '') END""";

    @Inject
    Pool pool;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryConfig delivery;

    /** Fans out one batch; answers how many events it took (a full batch means: call again). */
    public Uni<Integer> fanOutBatch() {
        return pool.preparedQuery(FAN_OUT)
                .execute(Tuple.of(dispatch.fanOutBatch(), delivery.maxAttempts()))
                .map(rows -> rows.iterator().next().getLong("events").intValue());
    }

    boolean wasFull(int events) {
        return events >= dispatch.fanOutBatch();
    }
}
