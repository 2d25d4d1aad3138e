package dev.herald.attempt;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.dispatch.DeliveryState;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.retention.RetentionConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sends FAILED deliveries again: each gets a fresh set of attempts (the retry schedule starts over), its
 * endpoint is woken and the dispatchers notified, and it keeps its id (its webhook-id). Only the caller's own FAILED
 * deliveries, finished within the retention period, are touched. A delivery of a switched-off webhook is held until
 * the webhook is switched on again.
 */
@ApplicationScoped
public class Replay {

    /* $1 application, $2 attempts granted, $3 retention in ms; %s narrows the caller's FAILED deliveries ($4, $5).
       herald_replay (db/functions/replay.sql) moves them from the history back to the hot table, locking their endpoints first as every
       writer does, and wakes them. Only deliveries finished within the retention period are replayed: their events
       are kept that long. */
    private static final String REPLAY = """
            WITH horizon AS (SELECT clock_timestamp() - $3 * interval '1 millisecond' AS not_before)
            SELECT herald_replay($1, ARRAY(SELECT h.id FROM delivery_history h, horizon
                                            WHERE h.application_id = $1 AND h.status = 3
                                              AND h.finished_at >= horizon.not_before
                                              AND EXISTS (SELECT 1 FROM webhook w WHERE w.id = h.webhook_id)
                                              AND %s),
                                 (SELECT not_before FROM horizon), $2) AS id""";

    private static final String ONE = REPLAY.formatted("h.id = $4");
    private static final String OF_WEBHOOK = REPLAY.formatted(
            "h.webhook_id = $4 AND ($5::timestamptz IS NULL OR h.finished_at >= $5)");

    private static final String OWNED_WEBHOOK = """
            SELECT 1 FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE w.id = $1 AND p.application_id = $2""";

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DeliveryMetrics metrics;

    @Inject
    RetentionConfig retention;

    /* $1 delivery, $2 application: a delivery not yet final (read by its key) */
    private static final String WAITING = "SELECT status FROM delivery WHERE id = $1 AND application_id = $2";

    /**
     * Answers the replayed delivery's id. A delivery of the application still under way is refused as such; any
     * other id (another application's, a delivered one, none at all) is not a FAILED delivery of the application:
     * NOT_FOUND. Only the hot table is read for the message: the history has no index by id alone.
     */
    Uni<List<Long>> one(int applicationId, long deliveryId) {
        return ids(ONE, Tuple.of(applicationId, delivery.maxAttempts(), retention.period().toMillis(), deliveryId))
                .call(replayed -> replayed.isEmpty() ? pool.preparedQuery(WAITING)
                        .execute(Tuple.of(deliveryId, applicationId)).invoke(rows -> {
                            if (rows.size() > 0) {
                                throw new InvalidInput("deliveryId", "is still "
                                        + DeliveryState.of(rows.iterator().next().getInteger(0))
                                        + "; only FAILED deliveries are replayed");
                            }
                            throw new NotFound("deliveryId", "FAILED delivery", deliveryId);
                        }) : Uni.createFrom().voidItem());
    }

    /** Answers the ids of the webhook's FAILED deliveries (those finished since {@code since}, if given). */
    Uni<List<Long>> ofWebhook(int applicationId, long webhookId, Instant since) {
        return requireOwnedWebhook(pool, applicationId, webhookId)
                .chain(() -> ids(OF_WEBHOOK, Tuple.from(new Object[] { applicationId, delivery.maxAttempts(),
                        retention.period().toMillis(), webhookId, since == null ? null : since.atOffset(ZoneOffset.UTC) })));
    }

    /** Fails with NOT_FOUND unless the webhook is the application's (replay and recovery ask it first). */
    static Uni<Void> requireOwnedWebhook(Pool pool, int applicationId, long webhookId) {
        return pool.preparedQuery(OWNED_WEBHOOK).execute(Tuple.of(webhookId, applicationId))
                .invoke(rows -> {
                    if (rows.size() == 0) {
                        throw new NotFound("webhookId", "webhook", webhookId);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<List<Long>> ids(String sql, Tuple arguments) {
        return pool.preparedQuery(sql).execute(arguments).map(rows -> {
            List<Long> ids = new ArrayList<>();
            for (Row row : rows) {
                ids.add(row.getLong("id"));
            }
            metrics.replayed(ids.size());
            return ids;
        });
    }
}
