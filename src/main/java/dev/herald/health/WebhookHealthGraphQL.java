package dev.herald.health;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.webhook.WebhookView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code Webhook.health}, for all the webhooks of one answer in one statement: the endpoint's health row and
 * in-flight count, and its waiting deliveries counted in the hot table's index of due deliveries (the backlog,
 * never the history), and the rings' last 60 minutes. The webhooks were already found as the caller's.
 */
@GraphQLApi
@LogsUnexpectedFailures
public class WebhookHealthGraphQL {

    private static final String HEALTH = """
            SELECT w.id, now.minute,
                   herald_ring_minutes(h.succeeded, h.ring_minute, now.minute) AS succeeded,
                   herald_ring_minutes(h.failed, h.ring_minute, now.minute) AS failed,
                   h.last_success_at, h.last_failure_at, h.last_error, coalesce(h.consecutive_failures, 0) AS failures,
                   coalesce(e.in_flight, 0) AS in_flight,
                   (SELECT count(*) FROM delivery d WHERE d.webhook_id = w.id AND d.status = 0) AS pending
              FROM unnest($1::bigint[]) AS w(id)
             CROSS JOIN (SELECT herald_minute(clock_timestamp()) AS minute) AS now
              LEFT JOIN endpoint_health h ON h.webhook_id = w.id
              LEFT JOIN endpoint_state e ON e.webhook_id = w.id""";

    @Inject
    Pool pool;

    public Uni<List<@NonNull WebhookHealth>> health(@Source List<WebhookView> webhooks) {
        Long[] ids = webhooks.stream().map(webhook -> Long.valueOf(webhook.id())).toArray(Long[]::new);
        return pool.preparedQuery(HEALTH).execute(Tuple.of(ids)).map(rows -> {
            Map<Long, WebhookHealth> byId = new HashMap<>();
            rows.forEach(row -> byId.put(row.getLong("id"), of(row)));
            return webhooks.stream().map(webhook -> byId.get(Long.valueOf(webhook.id()))).toList();
        });
    }

    private static WebhookHealth of(Row row) {
        List<MinuteCount> minutes = minutes(row.getLong("minute"), row.getArrayOfIntegers("succeeded"),
                row.getArrayOfIntegers("failed"));
        long succeeded = minutes.stream().mapToLong(MinuteCount::succeeded).sum();
        long attempts = succeeded + minutes.stream().mapToLong(MinuteCount::failed).sum();
        return new WebhookHealth(attempts == 0 ? null : (double) succeeded / attempts, instant(row, "last_success_at"),
                instant(row, "last_failure_at"), row.getString("last_error"), row.getInteger("failures"),
                row.getLong("pending"), row.getInteger("in_flight"), minutes);
    }

    /** The rings' 60 minutes up to {@code lastMinute} (minutes since the epoch), oldest first. */
    private static List<MinuteCount> minutes(long lastMinute, Integer[] succeeded, Integer[] failed) {
        List<MinuteCount> minutes = new ArrayList<>(succeeded.length);
        for (int i = 0; i < succeeded.length; i++) {
            Instant start = Instant.ofEpochSecond((lastMinute - succeeded.length + 1 + i) * 60);
            minutes.add(new MinuteCount(start, succeeded[i], failed[i]));
        }
        return minutes;
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
