package dev.herald.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.DeliveryConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Claims deliveries endpoint-first, holding the per-endpoint caps in the database.
 *
 * <p>One transaction, two or three statements. The first locks a few due endpoint rows ({@code SKIP LOCKED}, so
 * claimers never wait on each other). The second, whose snapshot is taken after those locks are held, takes
 * up to the room each endpoint has (in-flight cap, starts in the rate window) from its oldest ready
 * deliveries, charges the endpoint and sets when it is next worth a look. When fewer endpoints were due than it
 * asked for, a third reads when the next one falls due, so the dispatcher can sleep until then without a
 * transaction of its own. Every writer that creates work for an
 * endpoint (fan-out, retries, replay, lease expiry) updates the endpoint row in its own transaction, so a
 * claim that holds the row sees all of it or the writer wakes the endpoint after the claim commits.
 *
 * <p>Due times compare with {@code statement_timestamp()}, which is stable within a statement and so bounds the
 * index scans; {@code clock_timestamp()} is volatile and made the first statement read every endpoint's index
 * entry whenever fewer than its limit were due.
 */
@ApplicationScoped
public class Claimer {

    /* package-private: the bench's SQL floor (SqlFloor) runs these very statements */
    static final String LOCK_DUE_ENDPOINTS = """
            SELECT webhook_id FROM endpoint_state
             WHERE next_check_at <= statement_timestamp()
             ORDER BY next_check_at
             LIMIT $1
             FOR UPDATE SKIP LOCKED""";

    /*
     * $1 locked endpoint ids, $2 global in-flight cap, $3 global starts allowed per window (a webhook may have
     * lower caps of its own), $4 window (+ guard) in ms,
     * $5 deliveries per endpoint per claim, $6 lease in ms, $7 deliveries in all.
     */
    static final String CLAIM = """
            WITH token AS (SELECT nextval('claim_token_seq') AS value),
            room AS (
                SELECT e.webhook_id, e.in_flight, w.status = 1 AS active,
                       coalesce(e.paused_until > clock_timestamp(), false) AS paused, e.paused_until,
                       -- the caps: the global ones, or the webhook's own when lower; a running test holds a slot
                       least($2, coalesce(w.max_in_flight, $2)) AS max_in_flight,
                       least($3, coalesce(w.max_per_minute, $3)) AS max_starts,
                       coalesce(e.test_until > clock_timestamp(), false) AS testing, e.test_until,
                       ARRAY(SELECT s FROM unnest(e.window_starts) s
                              WHERE s > clock_timestamp() - $4 * interval '1 millisecond' ORDER BY s) AS recent
                  FROM endpoint_state e JOIN webhook w ON w.id = e.webhook_id
                 WHERE e.webhook_id = ANY($1) AND w.id = ANY($1)),  -- both: else the planner scans webhook
            capacity AS (
                SELECT r.*, CASE WHEN r.active AND NOT r.paused
                                 THEN greatest(0, least(r.max_in_flight - r.in_flight - r.testing::int,
                                                    r.max_starts - cardinality(r.recent), $5))
                                 ELSE 0 END AS free
                  FROM room r),
            picked AS (
                SELECT d.id FROM capacity c CROSS JOIN LATERAL (
                    SELECT id, next_attempt_at FROM delivery d
                     WHERE d.webhook_id = c.webhook_id AND d.status = 0 AND d.next_attempt_at <= statement_timestamp()
                     ORDER BY d.next_attempt_at, d.id
                     LIMIT c.free) d
                 ORDER BY d.next_attempt_at
                 LIMIT $7),
            claimed AS (
                UPDATE delivery d
                   SET status = 1, attempt_count = d.attempt_count + 1,
                       claim_token = (SELECT value FROM token),
                       lease_until = clock_timestamp() + $6 * interval '1 millisecond'
                 WHERE d.id = ANY(ARRAY(SELECT id FROM picked)) AND d.status = 0
             RETURNING d.id, d.webhook_id, d.event_id, d.event_accepted_at, d.attempt_count, d.attempt_limit,
                       d.claim_token),
            charged AS (
                SELECT c.webhook_id, c.active, c.paused, c.paused_until, c.in_flight + coalesce(k.n, 0) AS in_flight,
                       c.max_in_flight, c.max_starts, c.testing, c.test_until,
                       -- a start charged must never be earlier than one already charged
                       c.recent || array_fill(greatest(clock_timestamp(), c.recent[cardinality(c.recent)]),
                                              ARRAY[coalesce(k.n, 0)]) AS starts
                  FROM capacity c
                  LEFT JOIN (SELECT webhook_id, count(*)::int AS n FROM claimed GROUP BY webhook_id) k
                       USING (webhook_id)),
            updated AS (
                UPDATE endpoint_state e
                   SET in_flight = s.in_flight,
                       window_starts = s.starts,
                       next_check_at = CASE
                           WHEN NOT s.active THEN 'infinity'
                           WHEN s.paused THEN s.paused_until  -- the receiver asked for a pause (429)
                           WHEN s.in_flight >= s.max_in_flight THEN 'infinity'  -- a completion wakes it
                           -- a test's end wakes it, or its lease's end when its replica died
                           WHEN s.in_flight + s.testing::int >= s.max_in_flight THEN s.test_until
                           WHEN cardinality(s.starts) >= s.max_starts
                                THEN s.starts[cardinality(s.starts) - s.max_starts + 1] + $4 * interval '1 millisecond'
                           ELSE coalesce((SELECT min(d.next_attempt_at) FROM delivery d
                                           WHERE d.webhook_id = s.webhook_id AND d.status = 0
                                             AND d.id <> ALL(ARRAY(SELECT id FROM claimed))), 'infinity')
                       END
                  FROM charged s
                 WHERE e.webhook_id = s.webhook_id AND e.webhook_id = ANY($1))  -- ANY: else a scan of all endpoints
            SELECT c.id, c.webhook_id, c.event_id, c.attempt_count, c.attempt_limit, c.claim_token,
                   w.webhook_url, ev.payload::text AS payload,
                   (extract(epoch FROM clock_timestamp() - c.event_accepted_at) * 1000)::bigint AS event_age_ms, w.secret,
                   CASE WHEN w.previous_secret_expires_at > clock_timestamp() THEN w.previous_secret END
                       AS previous_secret,
                   w.legacy_signature_header, w.headers, ev.traceparent
              FROM claimed c
              JOIN webhook w ON w.id = c.webhook_id
              -- the acceptance time finds the event's partition; a missing event is that delivery's outcome
              LEFT JOIN event ev ON ev.id = c.event_id AND ev.accepted_at = c.event_accepted_at""";

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DispatchConfig dispatch;

    /** Claims at most {@code limit} deliveries; fewer (or none) when the due endpoints have less room. */
    public Uni<ClaimBatch> claim(int limit) {
        int endpoints = endpointsFor(limit);
        int perEndpoint = Math.max(1, Math.min(dispatch.deliveriesPerEndpoint(), limit));
        // the lease is counted from before the claim was asked for: it ends no earlier in the database
        long leaseEndsNanos = System.nanoTime() + dispatch.lease().toNanos();
        return pool.withTransaction(connection -> connection.preparedQuery(LOCK_DUE_ENDPOINTS)
                .execute(Tuple.of(endpoints))
                .chain(rows -> {
                    Long[] ids = new Long[rows.size()];
                    int i = 0;
                    for (Row row : rows) {
                        ids[i++] = row.getLong(0);
                    }
                    Uni<List<ClaimedDelivery>> claimed = ids.length == 0 ? Uni.createFrom().item(List.of())
                            : claimFrom(connection, ids, perEndpoint, limit, leaseEndsNanos);
                    if (ids.length >= endpoints) {
                        return claimed.map(list -> new ClaimBatch(list, ids.length, null));
                    }
                    return claimed.chain(list -> nextDue(connection).map(due -> new ClaimBatch(list, ids.length, due)));
                }));
    }

    /** Endpoints one claim of {@code limit} deliveries locks. */
    int endpointsFor(int limit) {
        return Math.max(1, Math.min(dispatch.endpointsPerClaim(), limit));
    }

    private Uni<List<ClaimedDelivery>> claimFrom(SqlConnection connection, Long[] endpointIds, int perEndpoint,
            int limit, long leaseEndsNanos) {
        Duration window = Duration.ofSeconds(60).plus(dispatch.rateWindowGuard());
        return connection.preparedQuery(CLAIM)
                .execute(Tuple.from(new Object[] { endpointIds, delivery.maxInFlightPerEndpoint(),
                        delivery.maxPerMinutePerEndpoint(), window.toMillis(), perEndpoint, dispatch.lease().toMillis(),
                        limit }))
                .map(rows -> {
                    // the window was charged when the claim ran, just before this answer arrived
                    long answeredNanos = System.nanoTime();
                    long startByNanos = answeredNanos + dispatch.rateWindowGuard().toNanos();
                    List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        claimed.add(new ClaimedDelivery(row.getLong("id"), row.getLong("webhook_id"),
                                row.getLong("event_id"), row.getInteger("attempt_count"),
                                row.getInteger("attempt_limit"), row.getLong("claim_token"),
                                row.getString("webhook_url"), row.getString("payload"),
                                answeredNanos - row.getLong("event_age_ms") * 1_000_000, row.getString("secret"),
                                row.getString("previous_secret"), row.getString("legacy_signature_header"),
                                row.getString("headers"), row.getString("traceparent"), leaseEndsNanos, startByNanos));
                    }
                    return claimed;
                });
    }

    /**
     * How long until the next endpoint falls due, as this transaction sees it, measured by the database's clock
     * (this replica's may be off); null when none is waiting.
     */
    private static Uni<Duration> nextDue(SqlConnection connection) {
        return connection.query("SELECT (extract(epoch FROM min(next_check_at) - clock_timestamp()) * 1000)::bigint"
                + " FROM endpoint_state WHERE next_check_at < 'infinity'")
                .execute()
                .map(rows -> {
                    Long millis = rows.iterator().next().getLong(0);
                    return millis == null ? null : Duration.ofMillis(Math.max(0, millis));
                });
    }
}
