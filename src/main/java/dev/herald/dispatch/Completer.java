package dev.herald.dispatch;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.metrics.DeliveryMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records outcomes in batches: one statement updates many deliveries (fenced by their claim tokens), writes
 * their attempt rows, and releases their endpoints' in-flight slots, locking endpoint rows in id order so that
 * concurrent completions never deadlock. An outcome whose token was superseded (its lease expired and another
 * claim took over) changes nothing.
 */
public class Completer {

    private static final Logger LOG = Logger.getLogger(Completer.class);

    /* $1..$9 outcome columns, $10 in-flight cap, $11 endpoint pauses, $12 endpoints gone (410). */
    private static final String COMPLETE = """
            WITH outcome AS (
                SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::timestamptz[],
                                     $5::timestamptz[], $6::int[], $7::smallint[], $8::text[], $9::text[],
                                     $11::timestamptz[], $12::bool[])
                    AS o(delivery_id, claim_token, new_status, next_attempt_at, attempted_at, duration_ms,
                         status_code, error, response_excerpt, pause_until, gone)),
            recorded AS (
                UPDATE delivery d
                   SET status = o.new_status,
                       next_attempt_at = coalesce(o.next_attempt_at, d.next_attempt_at),
                       claim_token = NULL, lease_until = NULL,
                       finished_at = CASE WHEN o.new_status IN (2, 3) THEN clock_timestamp() END
                  FROM outcome o
                 WHERE d.id = o.delivery_id AND d.claim_token = o.claim_token AND d.status = 1
             RETURNING d.id, d.webhook_id, d.attempt_count, o.next_attempt_at, o.pause_until, o.gone),
            attempts AS (
                INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, status_code,
                                              error, response_excerpt)
                SELECT o.delivery_id, r.attempt_count, o.attempted_at, o.duration_ms, o.status_code, o.error,
                       o.response_excerpt
                  FROM outcome o JOIN recorded r ON r.id = o.delivery_id),
            released AS (
                SELECT webhook_id, count(*)::int AS finished, min(next_attempt_at) AS retry_at,
                       max(pause_until) AS pause_until, bool_or(gone) AS gone
                  FROM recorded GROUP BY webhook_id),
            disabled AS (  -- 410 Gone: the webhook is switched off and its waiting deliveries stop (FAILED)
                UPDATE webhook SET status = 0, updated_on = clock_timestamp()
                 WHERE id IN (SELECT webhook_id FROM released WHERE gone)),
            stopped AS (
                UPDATE delivery SET status = 3, finished_at = clock_timestamp()
                 WHERE webhook_id IN (SELECT webhook_id FROM released WHERE gone) AND status = 0),
            """ + EndpointLocks.LOCK_RELEASED + """
            , released_slots AS (
                UPDATE endpoint_state e
                   SET in_flight = e.in_flight - r.finished,
                       paused_until = greatest(e.paused_until, r.pause_until),
                       next_check_at = least(e.next_check_at,
                                             coalesce(r.retry_at, 'infinity'),
                                             CASE WHEN e.in_flight >= $10 THEN clock_timestamp() ELSE 'infinity' END)
                  FROM released r JOIN locked l USING (webhook_id)
                 WHERE e.webhook_id = r.webhook_id)
            SELECT id FROM recorded""";

    private final Pool pool;
    private final Vertx vertx;
    private final DeliveryConfig delivery;
    private final DispatchConfig dispatch;
    /** Run after each recorded batch: endpoint slots were freed, endpoints may be due. */
    private final Runnable afterFlush;
    private final DeliveryMetrics metrics;

    private final Queue<Outcome> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    Completer(Pool pool, Vertx vertx, DeliveryConfig delivery, DispatchConfig dispatch, DeliveryMetrics metrics,
            Runnable afterFlush) {
        this.metrics = metrics;
        this.pool = pool;
        this.vertx = vertx;
        this.delivery = delivery;
        this.dispatch = dispatch;
        this.afterFlush = afterFlush;
    }

    /** Queues an outcome; it is recorded within {@code herald.dispatch.completion-linger} or sooner. */
    public void submit(Outcome outcome) {
        waiting.add(outcome);
        if (waitingCount.incrementAndGet() >= dispatch.completionBatch()) {
            flush();
        } else if (flushScheduled.compareAndSet(false, true)) {
            vertx.setTimer(Math.max(1, dispatch.completionLinger().toMillis()), id -> {
                flushScheduled.set(false);
                flush();
            });
        }
    }

    /** Outcomes not yet recorded. */
    public int pending() {
        return waitingCount.get();
    }

    private void flush() {
        if (!flushing.compareAndSet(false, true)) {
            return; // the running flush looks again when it ends
        }
        List<Outcome> batch = new ArrayList<>();
        Outcome next;
        while (batch.size() < dispatch.completionBatch() && (next = waiting.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            flushing.set(false);
            return;
        }
        recordIsolatingBadOutcomes(batch).subscribe().with(
                recorded -> {
                    waitingCount.addAndGet(-batch.size());
                    flushing.set(false);
                    afterFlush.run();
                    if (waitingCount.get() > 0) {
                        flush();
                    }
                },
                failure -> {
                    // keep the outcomes and try again; if the database stays away, leases expire and the
                    // deliveries are attempted again (at least once)
                    LOG.warnf(failure, "Recording %d outcomes failed; retrying", batch.size());
                    waiting.addAll(batch);
                    flushing.set(false);
                    vertx.setTimer(dispatch.pollInterval().toMillis(), id -> flush());
                });
    }

    /**
     * Records the batch. When PostgreSQL refuses it for its data (SQLSTATE class 22 or 23: the same values fail
     * every time), the halves are recorded apart, down to the one outcome at fault, which is left unrecorded: its
     * lease expires and the delivery is attempted again, while every other outcome of the batch is kept. Any
     * other failure (the database away) fails the whole batch, to be retried as it is.
     */
    Uni<Void> recordIsolatingBadOutcomes(List<Outcome> batch) {
        return record(batch).onFailure(Completer::refusedForItsData).recoverWithUni(failure -> {
            if (batch.size() == 1) {
                LOG.errorf(failure, "The outcome of delivery %d cannot be recorded; its lease expires and it is"
                        + " attempted again", batch.get(0).delivery().id());
                return Uni.createFrom().voidItem();
            }
            int half = batch.size() / 2;
            return recordIsolatingBadOutcomes(batch.subList(0, half))
                    .chain(() -> recordIsolatingBadOutcomes(batch.subList(half, batch.size())));
        });
    }

    private static boolean refusedForItsData(Throwable failure) {
        return failure instanceof PgException refused && refused.getSqlState() != null
                && (refused.getSqlState().startsWith("22") || refused.getSqlState().startsWith("23"));
    }

    Uni<Void> record(List<Outcome> batch) {
        int n = batch.size();
        Long[] ids = new Long[n];
        Long[] tokens = new Long[n];
        Short[] states = new Short[n];
        OffsetDateTime[] nextAttempts = new OffsetDateTime[n];
        OffsetDateTime[] attemptedAt = new OffsetDateTime[n];
        Integer[] durations = new Integer[n];
        Short[] statusCodes = new Short[n];
        String[] errors = new String[n];
        String[] excerpts = new String[n];
        OffsetDateTime[] pauses = new OffsetDateTime[n];
        Boolean[] gone = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Outcome o = batch.get(i);
            ids[i] = o.delivery().id();
            tokens[i] = o.delivery().claimToken();
            states[i] = o.next().code();
            nextAttempts[i] = o.nextAttemptAt() == null ? null : o.nextAttemptAt().atOffset(ZoneOffset.UTC);
            attemptedAt[i] = o.attempt().attemptedAt().atOffset(ZoneOffset.UTC);
            durations[i] = o.attempt().durationMs();
            statusCodes[i] = o.attempt().statusCode() == null ? null : o.attempt().statusCode().shortValue();
            errors[i] = o.attempt().error();
            excerpts[i] = o.attempt().responseExcerpt();
            pauses[i] = o.pauseEndpointUntil() == null ? null : o.pauseEndpointUntil().atOffset(ZoneOffset.UTC);
            gone[i] = o.disableEndpoint();
        }
        return pool.preparedQuery(COMPLETE)
                .execute(Tuple.from(new Object[] { ids, tokens, states, nextAttempts, attemptedAt, durations,
                        statusCodes, errors, excerpts, delivery.maxInFlightPerEndpoint(), pauses, gone }))
                .invoke(recorded -> count(batch, recorded))
                .replaceWithVoid();
    }

    /** Final states reach the metrics only when recorded: a fenced-out outcome changed nothing. */
    private void count(List<Outcome> batch, Iterable<Row> recorded) {
        Set<Long> ids = new HashSet<>();
        recorded.forEach(row -> ids.add(row.getLong(0)));
        for (Outcome outcome : batch) {
            if (!ids.contains(outcome.delivery().id())) {
                continue;
            }
            if (outcome.next() == DeliveryState.DELIVERED) {
                metrics.delivered(outcome.delivery().acceptedAt());
            } else if (outcome.next() == DeliveryState.FAILED) {
                metrics.failed();
            }
        }
    }
}
