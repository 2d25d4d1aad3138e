package dev.herald.dispatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.herald.metrics.DeliveryMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Records outcomes in batches: one call of {@code herald_complete} locks the endpoints' rows (in id order, as every
 * writer does), updates many deliveries (fenced by their claim tokens), writes their attempt rows, gives back the
 * endpoints' in-flight slots and wakes what became due. An outcome whose token was superseded (its lease expired
 * and another claim took over) changes nothing.
 */
public class Completer {

    private static final Logger LOG = Logger.getLogger(Completer.class);

    /* herald_complete (db/functions/completion.sql): fenced by claim tokens, endpoint rows locked first in id order. */
    static final String COMPLETE = "SELECT delivery_id, status FROM herald_complete($1, $2, $3, $4, $5, $6, $7, $8,"
            + " $9, $10, $11, $12, $13, $14)";

    private final Pool pool;
    private final Vertx vertx;
    private final DispatchConfig dispatch;
    /** Run after each recorded batch: endpoint slots were freed, endpoints may be due. */
    private final Runnable afterFlush;
    private final DeliveryMetrics metrics;

    private final Queue<Outcome> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private volatile long flushStartedNanos;
    private final FailureRun recording = new FailureRun(LOG, "Recording outcomes");
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    Completer(Pool pool, Vertx vertx, DispatchConfig dispatch, DeliveryMetrics metrics,
            Runnable afterFlush) {
        this.metrics = metrics;
        this.pool = pool;
        this.vertx = vertx;
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

    /** How long the statement recording outcomes has been running; 0 when none is. */
    long flushingFor(long nowNanos) {
        return flushing.get() ? nowNanos - flushStartedNanos : 0;
    }

    private void flush() {
        if (!flushing.compareAndSet(false, true)) {
            return; // the running flush looks again when it ends
        }
        flushStartedNanos = System.nanoTime();
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
                    recording.succeeded();
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
                    recording.failed(failure);
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
        long now = System.nanoTime();
        Long[] ids = new Long[n];
        Long[] webhooks = new Long[n];
        Long[] tokens = new Long[n];
        Short[] states = new Short[n];
        Long[] retryMillis = new Long[n];
        Boolean[] sent = new Boolean[n];
        Long[] attemptAges = new Long[n];
        Integer[] durations = new Integer[n];
        Short[] statusCodes = new Short[n];
        String[] errors = new String[n];
        String[] excerpts = new String[n];
        Long[] pauseMillis = new Long[n];
        Boolean[] gone = new Boolean[n];
        Boolean[] reached = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Outcome o = batch.get(i);
            ids[i] = o.delivery().id();
            webhooks[i] = o.delivery().webhookId();
            tokens[i] = o.delivery().claimToken();
            states[i] = o.next().code();
            retryMillis[i] = o.retryAfter() == null ? null : o.retryAfter().toMillis();
            sent[i] = o.sent();
            attemptAges[i] = o.attemptAgeMillis(now);
            durations[i] = o.attempt().durationMs();
            statusCodes[i] = o.attempt().statusCode() == null ? null : o.attempt().statusCode().shortValue();
            errors[i] = o.attempt().error();
            excerpts[i] = o.attempt().responseExcerpt();
            pauseMillis[i] = o.pauseEndpoint() == null ? null : o.pauseEndpoint().toMillis();
            gone[i] = o.disableEndpoint();
            reached[i] = o.attempt().reachedReceiver();
        }
        return pool.preparedQuery(COMPLETE)
                .execute(Tuple.from(new Object[] { ids, webhooks, tokens, states, retryMillis, sent, attemptAges,
                        durations, statusCodes, errors, excerpts, pauseMillis, gone, reached }))
                .invoke(recorded -> count(batch, recorded))
                .replaceWithVoid();
    }

    /** Final states reach the metrics only when recorded: a fenced-out outcome changed nothing. */
    private void count(List<Outcome> batch, Iterable<Row> recorded) {
        Map<Long, DeliveryState> ended = new HashMap<>();
        recorded.forEach(row -> ended.put(row.getLong("delivery_id"), DeliveryState.of(row.getInteger("status"))));
        for (Outcome outcome : batch) {
            DeliveryState state = ended.get(outcome.delivery().id());
            if (state == DeliveryState.DELIVERED) {
                metrics.delivered(outcome.delivery().acceptedNanos());
            } else if (state == DeliveryState.FAILED) {
                metrics.failed(1);
            }
        }
    }
}
