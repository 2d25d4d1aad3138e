package dev.herald.attempt;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Pages;
import dev.herald.dispatch.DeliveryState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads an application's deliveries and their attempts: the hot table (deliveries not yet final) and the history
 * (the log's rows that carry an outcome) together, newest first (by creation time, then id), a page at a time by
 * keyset ({@code after}: a {@link PageCursor}). The log has an index per filter (application, webhook or event,
 * then creation time and id; FAILED apart), and a time range on the creation time also skips log partitions that
 * ended before it. The hot table has indexes by application and by event: a webhook's waiting deliveries are found
 * among their application's, or through the queue index (by webhook, then due time) when the webhook holds few of
 * them. A delivery's attempts are found by its webhook, creation time and id.
 * Deliveries of deleted webhooks are not shown (their history stays, unreachable, until retention drops it).
 */
@ApplicationScoped
public class AttemptLog {

    /** {@code totalCount} stops here. */
    static final int COUNT_CAP = 1_000;

    private static final String HOT_COLUMNS = "d.id, d.event_id, d.webhook_id, d.status, d.attempt_count,"
            + " d.next_attempt_at, d.created_at, NULL::timestamptz AS finished_at";
    private static final String HISTORY_COLUMNS = "d.id, d.event_id, d.webhook_id, d.status, d.attempt_count,"
            + " NULL::timestamptz AS next_attempt_at, d.created_at, d.finished_at";
    /*
     * $1 ids, $2 their webhooks, $3 their creation times (the log's index by webhook leads to each delivery's rows);
     * $4 the earliest creation time of the page: no row of these was logged before it, older partitions are skipped;
     * $5 the newest so many of each delivery (a delivery replayed again and again has many)
     */
    private static final String ATTEMPTS = """
            SELECT delivery_id, attempted_at, duration_ms, status_code, error, response_excerpt
              FROM (SELECT l.*, row_number() OVER (PARTITION BY l.delivery_id ORDER BY l.attempt_count DESC) AS newest
                      FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS p(id, webhook_id, created_at)
                      JOIN delivery_log l
                        ON l.webhook_id = p.webhook_id AND l.created_at = p.created_at AND l.delivery_id = p.id
                     WHERE l.attempted_at IS NOT NULL AND l.logged_at >= $4) a
             WHERE newest <= $5
             ORDER BY delivery_id, attempt_count""";

    @Inject
    Pool pool;

    public Uni<DeliveryPage> page(int applicationId, DeliveryFilter filter) {
        Query query = Query.of(applicationId, filter);
        // planned for each call's values: one tenant's webhook holds millions of deliveries, another's a dozen, and a
        // plan cached for one (the client caches its statements) reads the other's page by scanning the history
        return inOneSnapshot(connection -> connection.query("SET LOCAL plan_cache_mode = force_custom_plan")
                .execute()
                .chain(() -> connection.preparedQuery(query.count()).execute(query.countArguments()))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(counted -> connection.preparedQuery(query.page()).execute(query.pageArguments())
                        .chain(rows -> withAttempts(connection, rows))
                        .map(items -> new DeliveryPage((int) Math.min(counted, COUNT_CAP), counted > COUNT_CAP,
                                nextCursor(items, filter), items))));
    }

    /**
     * Runs the statements of one reading in a single snapshot: deliveries and their attempts are read by separate
     * statements, and under READ COMMITTED a delivery completing between them would show its old state with its new
     * attempt (in flight, and already failed once).
     */
    private <T> Uni<T> inOneSnapshot(Function<SqlConnection, Uni<T>> reading) {
        return pool.withTransaction(connection -> connection
                .query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
                .chain(() -> reading.apply(connection)));
    }

    /** Null on the last page: one that is not full. */
    private static String nextCursor(List<DeliveryView> items, DeliveryFilter filter) {
        return items.size() == filter.limit() ? PageCursor.after(items.get(items.size() - 1)).toString() : null;
    }

    /** The deliveries with these ids, in id order (ownership already checked). */
    Uni<List<DeliveryView>> byIds(List<Long> ids) {
        Long[] wanted = ids.toArray(Long[]::new);
        return inOneSnapshot(connection -> connection.preparedQuery(
                "SELECT * FROM (SELECT " + HOT_COLUMNS + " FROM delivery d WHERE d.id = ANY($1) UNION ALL SELECT "
                        + HISTORY_COLUMNS + " FROM delivery_history d WHERE d.id = ANY($1)) found ORDER BY id")
                .execute(Tuple.of((Object) wanted))
                .chain(rows -> withAttempts(connection, rows)));
    }

    /**
     * The SQL of one request: the filters as conditions on each table, with their arguments. The cursor bounds the
     * page only; the count is of everything the filters match.
     */
    private record Query(String where, String historyWhere, String cursor, Tuple countArguments, Tuple pageArguments,
            DeliveryFilter filter) {

        static Query of(int applicationId, DeliveryFilter filter) {
            List<Object> arguments = new ArrayList<>(List.of(applicationId));
            StringBuilder where = new StringBuilder("d.application_id = $1"
                    + " AND EXISTS (SELECT 1 FROM webhook w WHERE w.id = d.webhook_id)");
            StringBuilder historyOnly = new StringBuilder();
            if (filter.webhookId() != null) {
                arguments.add(filter.webhookId());
                where.append(" AND d.webhook_id = $").append(arguments.size());
            }
            if (filter.providerId() != null) {
                arguments.add(filter.providerId());
                where.append(" AND EXISTS (SELECT 1 FROM webhook pw WHERE pw.id = d.webhook_id AND pw.provider_id = $")
                        .append(arguments.size()).append(")");
            }
            if (filter.eventId() != null) {
                arguments.add(filter.eventId());
                where.append(" AND d.event_id = $").append(arguments.size());
            }
            if (filter.status() != null) {
                arguments.add(filter.status().code());
                where.append(" AND d.status = $").append(arguments.size());
            }
            if (filter.since() != null) {
                arguments.add(filter.since().atOffset(ZoneOffset.UTC));
                where.append(" AND d.created_at >= $").append(arguments.size());
                // a delivery ends after it is made: older history partitions cannot hold it
                historyOnly.append(" AND d.finished_at >= $").append(arguments.size());
            }
            if (filter.until() != null) {
                arguments.add(filter.until().atOffset(ZoneOffset.UTC));
                where.append(" AND d.created_at < $").append(arguments.size());
            }
            Tuple countArguments = Tuple.from(arguments);
            String cursor = "";
            if (filter.after() != null) {
                arguments.add(filter.after().createdAt());
                arguments.add(filter.after().id());
                cursor = " AND (d.created_at, d.id) < ($" + (arguments.size() - 1) + ", $" + arguments.size() + ")";
            }
            return new Query(where.toString(), where + historyOnly.toString(), cursor, countArguments,
                    Tuple.from(arguments), filter);
        }

        String page() {
            int reach = filter.limit() + filter.offset();
            return "SELECT * FROM (" + union(HOT_COLUMNS, HISTORY_COLUMNS, cursor,
                    " ORDER BY d.created_at DESC, d.id DESC LIMIT " + reach) + ") matching"
                    + " ORDER BY created_at DESC, id DESC LIMIT " + filter.limit() + " OFFSET " + filter.offset();
        }

        /** Counts up to one more than the cap. */
        String count() {
            return "SELECT count(*) FROM (" + union("1", "1", "", " LIMIT " + (COUNT_CAP + 1)) + ") matching";
        }

        private String union(String hotColumns, String historyColumns, String condition, String tail) {
            List<String> parts = new ArrayList<>(2);
            if (filter.mayBeWaiting()) {
                parts.add("(SELECT " + hotColumns + " FROM delivery d WHERE " + where + condition + tail + ")");
            }
            if (filter.mayBeFinished()) {
                parts.add("(SELECT " + historyColumns + " FROM delivery_history d WHERE " + historyWhere + condition
                        + tail + ")");
            }
            return String.join(" UNION ALL ", parts);
        }
    }

    private Uni<List<DeliveryView>> withAttempts(SqlConnection connection, Iterable<Row> deliveryRows) {
        List<Row> rows = new ArrayList<>();
        deliveryRows.forEach(rows::add);
        if (rows.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Long[] ids = rows.stream().map(row -> row.getLong("id")).toArray(Long[]::new);
        Long[] webhooks = rows.stream().map(row -> row.getLong("webhook_id")).toArray(Long[]::new);
        OffsetDateTime[] created = rows.stream().map(row -> row.getOffsetDateTime("created_at"))
                .toArray(OffsetDateTime[]::new);
        // attempt times of earlier schemas came from replicas' clocks: an hour's margin covers their skew
        Instant earliest = Arrays.stream(created).map(OffsetDateTime::toInstant).min(Instant::compareTo).orElseThrow()
                .minusSeconds(3_600);
        return connection.preparedQuery(ATTEMPTS)
                .execute(Tuple.of(ids, webhooks, created, earliest.atOffset(ZoneOffset.UTC), Pages.MAX_ATTEMPTS))
                .map(attemptRows -> {
                    Map<Long, List<AttemptView>> attempts = new HashMap<>();
                    for (Row a : attemptRows) {
                        attempts.computeIfAbsent(a.getLong("delivery_id"), id -> new ArrayList<>()).add(new AttemptView(
                                a.getOffsetDateTime("attempted_at").toInstant(), a.getInteger("duration_ms"),
                                a.getInteger("status_code"), a.getString("error"), a.getString("response_excerpt")));
                    }
                    return rows.stream().map(row -> view(row, attempts.getOrDefault(row.getLong("id"), List.of())))
                            .toList();
                });
    }

    private static DeliveryView view(Row row, List<AttemptView> attempts) {
        DeliveryState state = DeliveryState.of(row.getInteger("status"));
        Instant next = state == DeliveryState.PENDING ? row.getOffsetDateTime("next_attempt_at").toInstant() : null;
        var finished = row.getOffsetDateTime("finished_at");
        return new DeliveryView(row.getLong("id").toString(), row.getLong("event_id").toString(),
                row.getLong("webhook_id").toString(), state, row.getInteger("attempt_count"), next,
                row.getOffsetDateTime("created_at").toInstant(), finished == null ? null : finished.toInstant(),
                attempts);
    }
}
