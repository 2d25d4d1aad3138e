package dev.herald.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.AttemptSettings;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.webhook.SealedAccess;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Claims deliveries endpoint-first, holding the per-endpoint caps in the database (db/functions/claim.sql): one
 * transaction, two or three statements. {@code herald_lock_due_endpoints} locks a few due endpoint rows, the
 * applications taking turns and those holding their share of this replica's slots passed over;
 * {@code herald_claim} takes what those endpoints have room for, each application at most its share; when fewer
 * endpoints were due than asked for, a third statement reads when the next one falls due, so the dispatcher can sleep
 * until then without a transaction of its own.
 */
@ApplicationScoped
public class Claimer {

    /* package-private: the bench's SQL floor (SqlFloor) runs these very statements */
    static final String LOCK_DUE_ENDPOINTS = "SELECT herald_lock_due_endpoints($1, $2)";

    /*
     * $1 locked endpoint ids, $2 global in-flight cap, $3 global starts allowed per window (a webhook may have lower
     * caps of its own), $4 window (+ guard) in ms, $5 deliveries per endpoint per claim, $6 lease in ms,
     * $7 deliveries in all, $8 applications with attempts here, $9 the slots each may still take, $10 the slots an
     * application not listed may take, $11 how soon to look again at an endpoint whose receiver is full.
     */
    static final String CLAIM = "SELECT * FROM herald_claim($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DispatchConfig dispatch;

    /**
     * Claims at most {@code limit} deliveries; fewer (or none) when the due endpoints have less room or their
     * applications have taken their {@code shares} of this replica's slots.
     */
    public Uni<ClaimBatch> claim(int limit, SlotShares.Room shares) {
        int endpoints = endpointsFor(limit);
        int perEndpoint = Math.max(1, Math.min(dispatch.deliveriesPerEndpoint(), limit));
        // the lease is counted from before the claim was asked for: it ends no earlier in the database
        long leaseEndsNanos = System.nanoTime() + dispatch.lease().toNanos();
        return pool.withTransaction(connection -> connection.preparedQuery(LOCK_DUE_ENDPOINTS)
                .execute(Tuple.of(endpoints, shares.full()))
                .chain(rows -> {
                    Long[] ids = new Long[rows.size()];
                    int i = 0;
                    for (Row row : rows) {
                        ids[i++] = row.getLong(0);
                    }
                    Uni<List<ClaimedDelivery>> claimed = ids.length == 0 ? Uni.createFrom().item(List.of())
                            : claimFrom(connection, ids, perEndpoint, limit, shares, leaseEndsNanos);
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
            int limit, SlotShares.Room shares, long leaseEndsNanos) {
        Duration window = dispatch.rateWindow().plus(dispatch.rateWindowGuard());
        return connection.preparedQuery(CLAIM)
                .execute(Tuple.from(new Object[] { endpointIds, delivery.maxInFlightPerEndpoint(),
                        delivery.maxPerMinutePerEndpoint(), window.toMillis(), perEndpoint, dispatch.lease().toMillis(),
                        limit, shares.applications(), shares.room(), shares.unlisted(),
                        dispatch.receiverRecheck().toMillis() }))
                .map(rows -> {
                    // the window was charged when the claim ran, just before this answer arrived
                    long answeredNanos = System.nanoTime();
                    long startByNanos = answeredNanos + dispatch.rateWindowGuard().toNanos();
                    List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        claimed.add(new ClaimedDelivery(row.getLong("id"), row.getLong("webhook_id"),
                                row.getInteger("application_id"), row.getLong("event_id"), row.getInteger("attempt_count"),
                                row.getInteger("attempt_limit"), row.getLong("claim_token"),
                                row.getString("webhook_url"), row.getString("payload"),
                                answeredNanos - row.getLong("event_age_ms") * 1_000_000, row.getString("secret"),
                                row.getString("previous_secret"), row.getString("legacy_signature_header"),
                                row.getString("headers"), row.getString("traceparent"), leaseEndsNanos, startByNanos,
                                AttemptSettings.of(row.getArrayOfIntegers("retry_schedule_ms"),
                                        row.getFloat("retry_jitter"), row.getInteger("timeout_ms"), delivery),
                                SealedAccess.of(row)));
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
