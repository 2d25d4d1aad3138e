package dev.herald.dispatch;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Turns outbox events into deliveries, with {@code herald_fan_out}: one per active webhook of the event's provider
 * at this moment. One call takes a batch of events ({@code SKIP LOCKED}: replicas share the work) but creates at
 * most {@code herald.dispatch.fan-out-deliveries} deliveries, so an event on a provider with thousands of webhooks
 * is fanned out over several calls and never holds thousands of endpoint rows at once. Endpoints are woken before
 * their deliveries are inserted; other replicas hear of the new work on {@code herald_dispatch}.
 */
@ApplicationScoped
public class FanOut {

    static final String FAN_OUT = "SELECT events, deliveries, more FROM herald_fan_out($1::int, $2::int, $3::int)";

    /** What one fan-out call did; {@code more}: call again, events may be waiting. */
    public record Round(int events, int deliveries, boolean more) {
    }

    @Inject
    Pool pool;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryConfig delivery;

    @Inject
    Tracing tracing;

    public Uni<Round> fanOutBatch() {
        Instant started = Instant.now();
        return pool.preparedQuery(FAN_OUT)
                .execute(Tuple.of(dispatch.fanOutBatch(), dispatch.fanOutDeliveries(), delivery.maxAttempts()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Round(row.getInteger("events"), row.getInteger("deliveries"), row.getBoolean("more"));
                })
                .invoke(round -> tracing.fanOut(started, round.events(), round.deliveries()));
    }
}
