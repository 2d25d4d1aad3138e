package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Turns outbox events into deliveries, with {@code herald_fan_out} (db/functions/fan_out.sql): one per active
 * webhook of the event's provider at this moment. One call takes a batch of events, an equal share for each
 * application with events waiting ({@code SKIP LOCKED}: replicas share the work), and creates at most
 * {@code herald.dispatch.fan-out-deliveries} deliveries, taken from the applications in turn, so an event on a
 * provider with thousands of webhooks is fanned out over several calls and never holds thousands of endpoint rows
 * at once. An event whose fan-out fails is set aside with its error and every other event goes on.
 *
 * <p>Given a {@link ClaimRoom}, the call also claims from the endpoints it woke, in the same transaction, whose rows
 * it holds locked ({@link Claimer#claimLocked}): the new deliveries leave without waiting for a claim round, under
 * the same caps and shares.
 */
@ApplicationScoped
public class FanOut {

    static final String FAN_OUT = "SELECT events, deliveries, more, set_aside_ids, set_aside_errors, woken"
            + " FROM herald_fan_out($1::int, $2::int, $3::int)";

    /** An event whose fan-out failed, set aside with its error (the operator sends it again when it can go). */
    public record SetAside(long eventId, String error) {
    }

    /** What a fan-out may claim: this replica's free attempt slots and the applications' shares of them. */
    record ClaimRoom(int limit, SlotShares.Room shares) {
    }

    /**
     * What one fan-out call did; {@code more}: call again, events may be waiting. With a {@link ClaimRoom}: what it
     * claimed, and how long until the next endpoint falls due (as {@link ClaimBatch#nextDue()}; null: none waits).
     */
    public record Round(int events, int deliveries, boolean more, List<SetAside> setAside,
            List<ClaimedDelivery> claimed, Duration nextDue) {
    }

    @Inject
    Pool pool;

    @Inject
    Claimer claimer;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryConfig delivery;

    @Inject
    Tracing tracing;

    /** One fan-out statement of the configured batch, claiming nothing. */
    public Uni<Round> fanOutBatch() {
        return fanOutBatch(null);
    }

    /** One fan-out statement of the configured batch; with {@code claim}, then a claim from what it woke. */
    Uni<Round> fanOutBatch(ClaimRoom claim) {
        return fanOut(dispatch.fanOutBatch(), dispatch.fanOutDeliveries(), claim);
    }

    /**
     * One small fan-out statement, run beside a batch ({@code herald.dispatch.fan-out-newcomer-batch} events): the
     * events the batch holds are skipped, so it takes what arrived since.
     */
    Uni<Round> fanOutNewcomers(ClaimRoom claim) {
        int events = dispatch.fanOutNewcomerBatch();
        return fanOut(events, Math.min(dispatch.fanOutDeliveries(), 2 * events), claim);
    }

    private Uni<Round> fanOut(int maxEvents, int maxDeliveries, ClaimRoom claim) {
        Instant started = Instant.now();
        Tuple arguments = Tuple.of(maxEvents, maxDeliveries, delivery.maxAttempts());
        Uni<Round> round = claim == null
                ? pool.preparedQuery(FAN_OUT).execute(arguments).map(rows -> round(rows.iterator().next()))
                : pool.withTransaction(connection -> connection.preparedQuery(FAN_OUT).execute(arguments)
                        .chain(rows -> claimWoken(connection, rows.iterator().next(), claim)));
        return round.invoke(done -> tracing.fanOut(started, done.events(), done.deliveries()));
    }

    private Uni<Round> claimWoken(SqlConnection connection, Row row, ClaimRoom claim) {
        Round fannedOut = round(row);
        Long[] woken = row.getArrayOfLongs("woken");
        if (woken.length == 0) {
            return Uni.createFrom().item(fannedOut);
        }
        // as many endpoints as a claim round of this room locks: those left stay due for the next claim round
        Long[] endpoints = Arrays.copyOf(woken, Math.min(woken.length, claimer.endpointsFor(claim.limit())));
        return claimer.claimLocked(connection, endpoints, claim.limit(), claim.shares())
                .map(batch -> new Round(fannedOut.events(), fannedOut.deliveries(), fannedOut.more(),
                        fannedOut.setAside(), batch.deliveries(), batch.nextDue()));
    }

    private static Round round(Row row) {
        Long[] ids = row.getArrayOfLongs("set_aside_ids");
        String[] errors = row.getArrayOfStrings("set_aside_errors");
        List<SetAside> setAside = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            setAside.add(new SetAside(ids[i], errors[i]));
        }
        return new Round(row.getInteger("events"), row.getInteger("deliveries"), row.getBoolean("more"), setAside,
                List.of(), null);
    }
}
