package dev.herald.attempt;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.retention.RetentionConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Recovers what a webhook missed ({@code herald_recover_webhook}): deliveries for the retained events of its
 * provider, accepted in a window, that it takes and has none for. The window's events are walked {@link #SLICE}
 * ids a statement, each its own transaction, so that no statement reads an unbounded part of the outbox.
 */
@ApplicationScoped
public class Recovery {

    /** Event ids one statement looks at. */
    static final long SLICE = 10_000;

    private static final String WINDOW = "SELECT first_id, last_id FROM herald_event_ids_between($1, $2)";
    private static final String RECOVER = "SELECT herald_recover_webhook($1, $2, $3, $4, $5, $6, $7)";

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    RetentionConfig retention;

    private volatile long slice = SLICE;

    /** Tests walk the window in smaller slices, to see every slice taken. */
    void useSlicesOf(long ids) {
        slice = ids;
    }

    /** Answers how many deliveries it made for the webhook's events accepted from {@code since} to {@code until}. */
    Uni<Integer> recover(int applicationId, long webhookId, Instant since, Instant until) {
        Instant now = Instant.now();
        Instant end = until == null ? now : until;
        Instant oldestKept = now.minus(retention.period());
        if (since.isBefore(oldestKept)) {
            throw new InvalidInput("since", "is beyond the retention period (herald.retention.period, "
                    + retention.period() + "): events accepted before about "
                    + oldestKept.truncatedTo(ChronoUnit.SECONDS) + " are no longer kept");
        }
        if (end.isBefore(since)) {
            throw new InvalidInput("until", "must not be before since");
        }
        return Replay.requireOwnedWebhook(pool, applicationId, webhookId)
                .chain(() -> pool.preparedQuery(WINDOW)
                        .execute(Tuple.of(since.atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC))))
                .map(rows -> rows.iterator().next())
                .chain(window -> window.getLong("first_id") == null ? Uni.createFrom().item(0)
                        : Multi.createFrom().iterable(slices(window))
                                .onItem().transformToUniAndConcatenate(from -> pool.preparedQuery(RECOVER)
                                        .execute(Tuple.from(new Object[] { webhookId, applicationId,
                                                since.atOffset(ZoneOffset.UTC), end.atOffset(ZoneOffset.UTC), from,
                                                Math.min(from + slice, window.getLong("last_id")),
                                                delivery.maxAttempts() }))
                                        .map(made -> made.iterator().next().getInteger(0)))
                                .collect().with(Collectors.summingInt(Integer::intValue)));
    }

    /** The exclusive lower ends of the slices of ids that cover the window. */
    private List<Long> slices(Row window) {
        List<Long> starts = new ArrayList<>();
        for (long from = window.getLong("first_id") - 1; from < window.getLong("last_id"); from += slice) {
            starts.add(from);
        }
        return starts;
    }
}
