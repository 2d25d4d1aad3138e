package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.metrics.DeliveryMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes back claims whose lease ran out (their replica died or stalled), with {@code herald_reap_expired_leases}:
 * each such attempt is logged as {@code lease expired}, counts as an attempt (so a delivery that kills its worker
 * cannot loop forever), and the delivery is ready again at once, or FAILED when it was the last. The endpoint's
 * in-flight slot is given back. The stale holder's token no longer matches, so whatever it records later is
 * ignored. What it ends is counted like any other end.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final String REAP = "SELECT reaped, failed FROM herald_reap_expired_leases(1000, $1::bigint)";

    @Inject
    Pool pool;

    @Inject
    DispatchConfig dispatch;

    @Inject
    DeliveryMetrics metrics;

    /** Answers how many claims were taken back. */
    public Uni<Integer> reapExpiredLeases() {
        return pool.preparedQuery(REAP)
                .execute(Tuple.of(dispatch.lease().toMillis()))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    int reaped = row.getInteger("reaped");
                    metrics.leasesExpired(reaped);
                    metrics.failed(row.getInteger("failed"));
                    return reaped;
                });
    }
}
