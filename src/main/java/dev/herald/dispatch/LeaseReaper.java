package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes back claims whose lease ran out (their replica died or stalled): each such attempt is logged as
 * {@code lease expired}, counts as an attempt (so a delivery that kills its worker cannot loop forever), and the
 * delivery is ready again at once, or FAILED when it was the last. The endpoint's in-flight slot is released.
 * The stale holder's token no longer matches, so whatever it records later is ignored.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final String REAP = """
            WITH expired AS (
                SELECT id FROM delivery
                 WHERE status = 1 AND lease_until < clock_timestamp()
                 ORDER BY id
                 LIMIT 1000
                   FOR UPDATE SKIP LOCKED),
            reset AS (
                UPDATE delivery d
                   SET status = CASE WHEN d.attempt_count >= d.attempt_limit THEN 3 ELSE 0 END,
                       finished_at = CASE WHEN d.attempt_count >= d.attempt_limit THEN clock_timestamp() END,
                       next_attempt_at = clock_timestamp(),
                       claim_token = NULL, lease_until = NULL
                 WHERE d.id IN (SELECT id FROM expired)
             RETURNING d.id, d.webhook_id, d.attempt_count),
            logged AS (
                INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, error)
                SELECT id, attempt_count, clock_timestamp() - $1 * interval '1 millisecond', 0, 'lease expired'
                  FROM reset
                    ON CONFLICT DO NOTHING),
            released AS (
                SELECT webhook_id, count(*)::int AS n FROM reset GROUP BY webhook_id),
            """ + EndpointLocks.LOCK_RELEASED + """
            UPDATE endpoint_state e
               SET in_flight = e.in_flight - r.n, next_check_at = clock_timestamp()
              FROM released r JOIN locked l USING (webhook_id)
             WHERE e.webhook_id = r.webhook_id""";

    @Inject
    Pool pool;

    @Inject
    DispatchConfig dispatch;

    /** Answers how many endpoints got slots back. */
    public Uni<Integer> reapExpiredLeases() {
        return pool.preparedQuery(REAP).execute(Tuple.of(dispatch.lease().toMillis())).map(rows -> rows.rowCount());
    }
}
