package dev.herald.attempt;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.NotFound;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.metrics.DeliveryMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Sends FAILED deliveries again: each gets a fresh set of attempts (the retry schedule starts over), its
 * endpoint is woken and the dispatchers notified. Only the caller's own FAILED deliveries are touched. A delivery
 * of a switched-off webhook is held until the webhook is switched on again.
 */
@ApplicationScoped
public class Replay {

    /* $1 application, $2 attempts granted; %s narrows the caller's FAILED deliveries ($3, $4). herald_replay (V5)
       locks their endpoints first, as every writer does, and wakes them. */
    private static final String REPLAY = """
            SELECT herald_replay(ARRAY(SELECT d.id FROM delivery d
                                         JOIN webhook w ON w.id = d.webhook_id
                                         JOIN provider p ON p.id = w.provider_id
                                        WHERE p.application_id = $1 AND d.status = 3 AND %s), $2) AS id""";

    private static final String ONE = REPLAY.formatted("d.id = $3");
    private static final String OF_WEBHOOK = REPLAY.formatted(
            "d.webhook_id = $3 AND ($4::timestamptz IS NULL OR d.finished_at >= $4)");

    private static final String OWNED_WEBHOOK = """
            SELECT 1 FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE w.id = $1 AND p.application_id = $2""";

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DeliveryMetrics metrics;

    /** Answers the replayed delivery's id, or nothing when it is not a FAILED delivery of the application. */
    Uni<List<Long>> one(int applicationId, long deliveryId) {
        return ids(ONE, Tuple.of(applicationId, delivery.maxAttempts(), deliveryId));
    }

    /** Answers the ids of the webhook's FAILED deliveries (those finished since {@code since}, if given). */
    Uni<List<Long>> ofWebhook(int applicationId, long webhookId, Instant since) {
        return pool.preparedQuery(OWNED_WEBHOOK).execute(Tuple.of(webhookId, applicationId))
                .invoke(rows -> {
                    if (rows.size() == 0) {
                        throw new NotFound("webhookId", "webhook", webhookId);
                    }
                })
                .chain(() -> ids(OF_WEBHOOK, Tuple.of(applicationId, delivery.maxAttempts(), webhookId,
                        since == null ? null : since.atOffset(ZoneOffset.UTC))));
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
