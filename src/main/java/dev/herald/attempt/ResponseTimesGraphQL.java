package dev.herald.attempt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import dev.herald.webhook.WebhookView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@code Webhook.responseTimes}: the median and 99th percentile of the attempts' durations per minute over the last
 * hour (the minutes of {@code Webhook.health.minutes}), for all the webhooks of one answer in one statement. The
 * webhooks were already found as the caller's.
 *
 * <p>The delivery log is read by its index by webhook (then the delivery's creation time), every attempt logged,
 * of deliveries final or still being retried. Only the deliveries made at most {@link #WAITED_MINUTES} before the
 * hour began are looked at, and the partitions that ended before the hour are skipped, so a quiet webhook costs next
 * to nothing and a busy one at most what its start cap lets it attempt in two hours. Attempts of deliveries that
 * waited longer (a deep backlog, a webhook switched off and on again) are not counted.
 */
@GraphQLApi
@LogsUnexpectedFailures
public class ResponseTimesGraphQL {

    /** How long before the hour a delivery may have been made and still have its attempts counted. */
    static final int WAITED_MINUTES = 60;

    /*
     * $1 webhook ids, $2 WAITED_MINUTES. now() (not clock_timestamp()) so that the partitions of the log that ended
     * before the hour are skipped as the statement starts. Requests Herald refused or could not make (blocked,
     * unsendable, internal) say nothing about the receiver: not counted, as in health.
     */
    private static final String RESPONSE_TIMES = """
            WITH counted AS (
                SELECT w.id AS webhook_id, herald_minute(a.attempted_at) AS minute, count(*)::int AS attempts,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY a.duration_ms) AS p50,
                       percentile_cont(0.99) WITHIN GROUP (ORDER BY a.duration_ms) AS p99
                  FROM unnest($1::bigint[]) AS w(id)
                  JOIN delivery_log a
                    ON a.webhook_id = w.id
                   AND a.created_at >= to_timestamp((herald_minute(now()) - 59 - $2) * 60.0)
                   AND a.logged_at >= to_timestamp((herald_minute(now()) - 59) * 60.0)
                   AND a.attempted_at >= to_timestamp((herald_minute(now()) - 59) * 60.0)
                 WHERE a.error IS NULL OR a.error !~ '^(blocked|unsendable|internal): '
                 GROUP BY w.id, herald_minute(a.attempted_at))
            SELECT herald_minute(now()) AS last_minute, c.*
              FROM (SELECT 1) AS one
              LEFT JOIN counted c ON true""";

    @Inject
    Pool pool;

    @Description("The last 60 minutes, oldest first, the current one last: the median and 99th percentile of the"
            + " durations of the attempts started in each (see ResponseTimeMinute)")
    public Uni<List<@NonNull List<@NonNull ResponseTimeMinute>>> responseTimes(@Source List<WebhookView> webhooks) {
        Long[] ids = webhooks.stream().map(webhook -> Long.valueOf(webhook.id())).toArray(Long[]::new);
        return pool.preparedQuery(RESPONSE_TIMES).execute(Tuple.of(ids, WAITED_MINUTES)).map(rows -> {
            long lastMinute = rows.iterator().next().getLong("last_minute");
            Map<Long, Map<Long, Row>> byWebhook = new HashMap<>();
            for (Row row : rows) {
                if (row.getLong("webhook_id") != null) {
                    byWebhook.computeIfAbsent(row.getLong("webhook_id"), id -> new HashMap<>())
                            .put(row.getLong("minute"), row);
                }
            }
            return webhooks.stream()
                    .map(webhook -> hour(lastMinute, byWebhook.getOrDefault(Long.valueOf(webhook.id()), Map.of())))
                    .toList();
        });
    }

    /** The 60 minutes up to {@code lastMinute} (minutes since the epoch), oldest first, empty ones too. */
    private static List<ResponseTimeMinute> hour(long lastMinute, Map<Long, Row> counted) {
        List<ResponseTimeMinute> minutes = new ArrayList<>(Pages.HEALTH_MINUTES);
        for (long minute = lastMinute - Pages.HEALTH_MINUTES + 1; minute <= lastMinute; minute++) {
            Row row = counted.get(minute);
            Instant start = Instant.ofEpochSecond(minute * 60);
            minutes.add(row == null ? new ResponseTimeMinute(start, 0, null, null)
                    : new ResponseTimeMinute(start, row.getInteger("attempts"), row.getDouble("p50"),
                            row.getDouble("p99")));
        }
        return minutes;
    }
}
