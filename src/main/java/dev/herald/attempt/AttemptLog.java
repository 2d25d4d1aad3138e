package dev.herald.attempt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.dispatch.DeliveryState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Reads an application's deliveries and their attempts. */
@ApplicationScoped
public class AttemptLog {

    /* $1 application, $2 webhook, $3 event, $4 status; every filter optional. */
    private static final String OWN_DELIVERIES = """
            FROM delivery d
            JOIN webhook w ON w.id = d.webhook_id
            JOIN provider p ON p.id = w.provider_id
            WHERE p.application_id = $1
              AND ($2::bigint IS NULL OR d.webhook_id = $2)
              AND ($3::bigint IS NULL OR d.event_id = $3)
              AND ($4::smallint IS NULL OR d.status = $4)""";

    private static final String PAGE = "SELECT d.id, d.event_id, d.webhook_id, d.status, d.attempt_count,"
            + " d.next_attempt_at " + OWN_DELIVERIES + " ORDER BY d.id DESC LIMIT $5 OFFSET $6";
    private static final String COUNT = "SELECT count(*) " + OWN_DELIVERIES;
    private static final String ATTEMPTS = """
            SELECT delivery_id, attempted_at, duration_ms, status_code, error, response_excerpt
              FROM delivery_attempt WHERE delivery_id = ANY($1) ORDER BY delivery_id, attempt_number""";

    @Inject
    Pool pool;

    public Uni<DeliveryPage> page(int applicationId, DeliveryFilter filter) {
        Tuple filters = Tuple.of(applicationId, filter.webhookId(), filter.eventId(),
                filter.status() == null ? null : filter.status().code());
        return pool.withConnection(connection -> connection.preparedQuery(COUNT).execute(filters)
                .map(rows -> rows.iterator().next().getLong(0).intValue())
                .chain(total -> connection.preparedQuery(PAGE)
                        .execute(filters.addInteger(filter.limit()).addInteger(filter.offset()))
                        .chain(rows -> withAttempts(connection, rows))
                        .map(items -> new DeliveryPage(total, items))));
    }

    /** The deliveries with these ids, in the order given (ownership already checked). */
    Uni<List<DeliveryView>> byIds(List<Long> ids) {
        return pool.withConnection(connection -> connection.preparedQuery("SELECT d.id, d.event_id, d.webhook_id,"
                + " d.status, d.attempt_count, d.next_attempt_at FROM delivery d WHERE d.id = ANY($1) ORDER BY d.id")
                .execute(Tuple.of(ids.toArray(Long[]::new)))
                .chain(rows -> withAttempts(connection, rows)));
    }

    private Uni<List<DeliveryView>> withAttempts(SqlConnection connection, Iterable<Row> deliveryRows) {
        List<Row> rows = new ArrayList<>();
        deliveryRows.forEach(rows::add);
        Long[] ids = rows.stream().map(row -> row.getLong("id")).toArray(Long[]::new);
        return connection.preparedQuery(ATTEMPTS).execute(Tuple.of(ids)).map(attemptRows -> {
            Map<Long, List<AttemptView>> attempts = new HashMap<>();
            for (Row a : attemptRows) {
                attempts.computeIfAbsent(a.getLong("delivery_id"), id -> new ArrayList<>()).add(new AttemptView(
                        a.getOffsetDateTime("attempted_at").toInstant(), a.getInteger("duration_ms"),
                        a.getInteger("status_code"), a.getString("error"), a.getString("response_excerpt")));
            }
            return rows.stream().map(row -> view(row, attempts.getOrDefault(row.getLong("id"), List.of()))).toList();
        });
    }

    private static DeliveryView view(Row row, List<AttemptView> attempts) {
        DeliveryState state = DeliveryState.of(row.getInteger("status"));
        Instant next = state == DeliveryState.PENDING ? row.getOffsetDateTime("next_attempt_at").toInstant() : null;
        return new DeliveryView(row.getLong("id").toString(), row.getLong("event_id").toString(),
                row.getLong("webhook_id").toString(), state, row.getInteger("attempt_count"), next, attempts);
    }
}
