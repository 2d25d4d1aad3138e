package dev.herald.quota;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Unauthorized;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes a request's events from its application's ingest allowance (herald_take_ingest_allowance,
 * db/functions/quota.sql): one statement, in its own transaction, so the bucket's row is locked for the statement
 * only and concurrent requests of one application queue for a moment, not for each other's inserts.
 */
@ApplicationScoped
public class IngestAllowance {

    private static final String TAKE = """
            SELECT granted, per_second, per_request, remaining, full_in_ms, retry_in_ms
              FROM herald_take_ingest_allowance($1, $2, $3, $4)""";

    @Inject
    Pool pool;

    @Inject
    QuotaConfig config;

    /** Takes {@code events} (0: only reads the allowance); answers the allowance as it stands after. */
    public Uni<Allowance> take(int applicationId, int events) {
        return pool.preparedQuery(TAKE)
                .execute(Tuple.of(applicationId, events, config.ingest().maxEventsPerSecondPerApplication(),
                        config.ingest().maxEventsPerRequest()))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new Unauthorized("unknown API key"); // the application was deleted meanwhile
                    }
                    Row row = rows.iterator().next();
                    return new Allowance(row.getBoolean("granted"), row.getInteger("per_second"),
                            row.getInteger("per_request"), row.getInteger("remaining"), row.getLong("full_in_ms"),
                            row.getLong("retry_in_ms"), events);
                });
    }
}
