package dev.herald.operator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.graphql.Source;

import dev.herald.api.Pages;
import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.metrics.BacklogReading;
import dev.herald.metrics.DatabaseGauges;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The operator's view (the console's for the admin key): the backlog as the gauges last read it, the delivery rate
 * from the endpoints' health rings (one row per webhook, never the history), the last hour minute by minute (the
 * rings again, and the backlog the gauges record each minute) and the endpoints failing longest.
 */
@GraphQLApi
@LogsUnexpectedFailures
public class OperatorGraphQL {

    static final int RATE_MINUTES = 5;

    /*
     * The attempts of the last RATE_MINUTES whole minutes and of the current one so far, per minute of that time:
     * only the slots of those minutes are read, and only rings written since the first of them can count any.
     */
    private static final String RATES = """
            WITH now AS (SELECT herald_minute(clock_timestamp()) AS minute,
                                extract(epoch FROM clock_timestamp()) / 60 AS minutes)
            SELECT coalesce(sum(h.succeeded[(m.minute % 60)::int + 1]), 0)::bigint AS succeeded,
                   coalesce(sum(h.failed[(m.minute % 60)::int + 1]), 0)::bigint AS failed,
                   (SELECT minutes - (minute - $1) FROM now)::float8 AS window_minutes
              FROM now
              JOIN endpoint_health h ON h.ring_minute >= now.minute - $1
              JOIN generate_series(now.minute - $1, now.minute) AS m(minute)
                   ON m.minute <= h.ring_minute
                  AND herald_ring_slot_minute(h.ring_minute, (m.minute % 60)::int) = m.minute""";

    /*
     * The last 60 minutes, oldest first: the attempts every ring counts in each (rings written in the last hour only)
     * and the backlog recorded for it.
     */
    private static final String MINUTES = """
            WITH now AS (SELECT herald_minute(clock_timestamp()) AS minute),
            counted AS (
                SELECT c.i, sum(c.succeeded)::bigint AS succeeded, sum(c.failed)::bigint AS failed
                  FROM now
                  JOIN endpoint_health h ON h.ring_minute > now.minute - 60
                 CROSS JOIN LATERAL unnest(herald_ring_minutes(h.succeeded, h.ring_minute, now.minute),
                                           herald_ring_minutes(h.failed, h.ring_minute, now.minute))
                       WITH ORDINALITY AS c(succeeded, failed, i)
                 GROUP BY c.i)
            SELECT m.minute, coalesce(c.succeeded, 0) AS succeeded, coalesce(c.failed, 0) AS failed, b.backlog
              FROM now
             CROSS JOIN LATERAL generate_series(now.minute - 59, now.minute) WITH ORDINALITY AS m(minute, i)
              LEFT JOIN counted c ON c.i = m.i
              LEFT JOIN backlog_minute b ON b.minute = m.minute
             ORDER BY m.minute""";

    private static final String FAILING = """
            SELECT h.webhook_id, p.application_id, w.webhook_url, w.status, h.consecutive_failures, h.failing_since,
                   h.last_error
              FROM endpoint_health h
              JOIN webhook w ON w.id = h.webhook_id
              JOIN provider p ON p.id = w.provider_id
             WHERE h.failing_since IS NOT NULL
             ORDER BY h.consecutive_failures DESC, h.failing_since, h.webhook_id
             LIMIT $1""";

    @Inject
    CallerResolver callers;

    @Inject
    DatabaseGauges gauges;

    @Inject
    Pool pool;

    @Query
    @Description("The backlog, the delivery rate and (failingEndpoints) the endpoints failing most, across all"
            + " applications (admin key only).")
    public Uni<@NonNull OperatorOverview> operatorOverview() {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .chain(admin -> pool.preparedQuery(RATES).execute(Tuple.of(RATE_MINUTES)))
                .map(rows -> overview(gauges.lastReading(), rows.iterator().next()));
    }

    @Description("The webhooks with the longest runs of failed attempts now, longest first")
    public Uni<@NonNull List<@NonNull FailingEndpoint>> failingEndpoints(@Source OperatorOverview overview,
            @DefaultValue(Pages.FAILING_ENDPOINTS) @Description("How many, 1 to " + Pages.MAX_FAILING_ENDPOINTS) int limit) {
        Pages.size("limit", limit, Pages.MAX_FAILING_ENDPOINTS);
        return pool.preparedQuery(FAILING).execute(Tuple.of(limit)).map(rows -> {
            List<FailingEndpoint> failing = new ArrayList<>();
            rows.forEach(row -> failing.add(failingEndpoint(row)));
            return failing;
        });
    }

    @Description("The last 60 minutes, oldest first, the current one last: attempts delivered and failed in each, and"
            + " the backlog")
    public Uni<@NonNull List<@NonNull OperatorMinute>> minutes(@Source OperatorOverview overview) {
        return pool.query(MINUTES).execute().map(rows -> {
            List<OperatorMinute> minutes = new ArrayList<>(Pages.HEALTH_MINUTES);
            rows.forEach(row -> minutes.add(new OperatorMinute(Instant.ofEpochSecond(row.getLong("minute") * 60),
                    row.getLong("succeeded"), row.getLong("failed"), row.getLong("backlog"))));
            return minutes;
        });
    }

    private static OperatorOverview overview(BacklogReading backlog, Row rates) {
        double minutes = rates.getDouble("window_minutes");
        double delivered = rates.getLong("succeeded") / minutes;
        double failed = rates.getLong("failed") / minutes;
        return backlog == null ? new OperatorOverview(null, null, null, null, delivered, failed)
                : new OperatorOverview(backlog.backlog(), backlog.held(), backlog.oldestPendingAgeSeconds(),
                        backlog.readSecondsAgo(), delivered, failed);
    }

    private static FailingEndpoint failingEndpoint(Row row) {
        return new FailingEndpoint(row.getLong("webhook_id").toString(), row.getInteger("application_id"),
                row.getString("webhook_url"), row.getInteger("status"), row.getInteger("consecutive_failures"),
                row.getOffsetDateTime("failing_since").toInstant(), row.getString("last_error"));
    }
}
