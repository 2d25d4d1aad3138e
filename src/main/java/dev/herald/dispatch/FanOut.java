package dev.herald.dispatch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Turns outbox events into deliveries, with {@code herald_fan_out} (db/functions/fan_out.sql): one per active
 * webhook of the event's provider at this moment. One call takes a batch of events, an equal share for each
 * application with events waiting ({@code SKIP LOCKED}: replicas share the work), and creates at most
 * {@code herald.dispatch.fan-out-deliveries} deliveries, taken from the applications in turn, so an event on a
 * provider with thousands of webhooks is fanned out over several calls and never holds thousands of endpoint rows
 * at once. An event whose fan-out fails is set aside with its error and every other event goes on.
 */
@ApplicationScoped
public class FanOut {

    static final String FAN_OUT = "SELECT events, deliveries, more, set_aside_ids, set_aside_errors"
            + " FROM herald_fan_out($1::int, $2::int, $3::int)";

    /** An event whose fan-out failed, set aside with its error (the operator sends it again when it can go). */
    public record SetAside(long eventId, String error) {
    }

    /** What one fan-out call did; {@code more}: call again, events may be waiting. */
    public record Round(int events, int deliveries, boolean more, List<SetAside> setAside) {
    }

    @Inject
    Pool pool;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryConfig delivery;

    @Inject
    Tracing tracing;

    /** One fan-out statement of the configured batch. */
    public Uni<Round> fanOutBatch() {
        return fanOut(dispatch.fanOutBatch(), dispatch.fanOutDeliveries());
    }

    /**
     * One small fan-out statement, run beside a batch ({@code herald.dispatch.fan-out-newcomer-batch} events): the
     * events the batch holds are skipped, so it takes what arrived since.
     */
    public Uni<Round> fanOutNewcomers() {
        int events = dispatch.fanOutNewcomerBatch();
        return fanOut(events, Math.min(dispatch.fanOutDeliveries(), 2 * events));
    }

    private Uni<Round> fanOut(int maxEvents, int maxDeliveries) {
        Instant started = Instant.now();
        return pool.preparedQuery(FAN_OUT)
                .execute(Tuple.of(maxEvents, maxDeliveries, delivery.maxAttempts()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    Long[] ids = row.getArrayOfLongs("set_aside_ids");
                    String[] errors = row.getArrayOfStrings("set_aside_errors");
                    List<SetAside> setAside = new ArrayList<>(ids.length);
                    for (int i = 0; i < ids.length; i++) {
                        setAside.add(new SetAside(ids[i], errors[i]));
                    }
                    return new Round(row.getInteger("events"), row.getInteger("deliveries"), row.getBoolean("more"),
                            setAside);
                })
                .invoke(round -> tracing.fanOut(started, round.events(), round.deliveries()));
    }
}
