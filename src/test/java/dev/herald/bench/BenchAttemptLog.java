package dev.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The attempt log at size: writes {@code rows} finished deliveries (one attempt each, 2 % FAILED, 1,000 per event)
 * of the bench application over its first 1,000 webhooks straight into the delivery log, spread over the partitions
 * Herald made ahead, plus 1,000 of a second, small application; then times {@code deliveries(...)} pages through
 * Herald's GraphQL API, each filter {@code REPEAT} times, and prints the median, p95 and worst in ms.
 * Arguments: jdbcUrl heraldPort rows. Prints {@code ATTEMPTLOG worst_p95_ms=N}.
 */
public final class BenchAttemptLog {

    private static final int REPEAT = 20;
    private static final String BIG_KEY = "bench-key";
    private static final String SMALL_KEY = "bench-small-key";

    private BenchAttemptLog() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int port = Integer.parseInt(args[1]);
        long rows = Long.parseLong(args[2]);
        long firstWebhook;
        String middleCursor;
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            firstWebhook = single(s, "SELECT min(id) FROM webhook");
            long started = System.nanoTime();
            seed(s, rows, firstWebhook);
            System.out.printf("seeded %,d deliveries, one attempt each, in %d s; %d log partitions%n", rows + 1_000, (System.nanoTime() - started) / 1_000_000_000L,
                    single(s, "SELECT count(*) FROM herald_partition WHERE parent = 'delivery_log'"));
            middleCursor = text(s, "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '.' || id"
                    + " FROM delivery_history WHERE application_id = 1000 ORDER BY created_at, id OFFSET " + rows / 2
                    + " LIMIT 1");
        }
        String items = "totalCount totalCountCapped nextCursor items { id status createdAt attempts { statusCode } }";
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("newest page", "{ deliveries { " + items + " } }");
        queries.put("one webhook", "{ deliveries(webhookId: \"" + (firstWebhook + 7) + "\") { " + items + " } }");
        queries.put("one event", "{ deliveries(eventId: \"1000042\") { " + items + " } }");
        queries.put("status FAILED", "{ deliveries(status: FAILED) { " + items + " } }");
        queries.put("status DELIVERED", "{ deliveries(status: DELIVERED) { " + items + " } }");
        queries.put("webhook and FAILED", "{ deliveries(webhookId: \"" + (firstWebhook + 7) + "\", status: FAILED) { "
                + items + " } }");
        queries.put("a time range (one hour)", "{ deliveries(since: \"%s\", until: \"%s\") { %s } }");
        queries.put("deep page by cursor", "{ deliveries(after: \"" + middleCursor + "\") { " + items + " } }");
        queries.put("small tenant's newest", "{ deliveries { " + items + " } }");
        String[] window = timeWindow(url);
        queries.put("a time range (one hour)", queries.get("a time range (one hour)").formatted(window[0], window[1], items));

        HttpClient http = HttpClient.newHttpClient();
        long worstP95 = 0;
        System.out.println("filter\tmedian_ms\tp95_ms\tmax_ms\ttotalCount");
        for (var query : queries.entrySet()) {
            String key = query.getKey().startsWith("small") ? SMALL_KEY : BIG_KEY;
            List<Long> times = new ArrayList<>();
            String answer = "";
            for (int i = 0; i < REPEAT + 2; i++) {
                long start = System.nanoTime();
                answer = post(http, port, key, query.getValue());
                if (i >= 2) { // two warm-up calls: plans cached, pages in memory
                    times.add((System.nanoTime() - start) / 1_000_000);
                }
            }
            if (answer.contains("\"errors\"")) {
                throw new IllegalStateException(query.getKey() + ": " + answer);
            }
            Collections.sort(times);
            long p95 = times.get((int) Math.ceil(times.size() * 0.95) - 1);
            worstP95 = Math.max(worstP95, p95);
            System.out.printf("%s\t%d\t%d\t%d\t%s%n", query.getKey(), times.get(times.size() / 2), p95,
                    times.get(times.size() - 1), answer.replaceAll(".*\"totalCount\":(\\d+).*", "$1"));
        }
        System.out.println("ATTEMPTLOG worst_p95_ms=" + worstP95);
    }

    private static void seed(Statement s, long rows, long firstWebhook) throws Exception {
        s.execute("INSERT INTO application (id, name) VALUES (1001, 'bench-small') ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO api_key (application_id, key_hash) VALUES (1001, encode(sha256('" + SMALL_KEY
                + "'), 'hex')) ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO provider (id, application_id, name, channel_type) VALUES (900000, 1001, 'small', 1)"
                + " ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO webhook (provider_id, webhook_url, secret) VALUES (900000, 'http://127.0.0.1:9/small',"
                + " 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')");
        long smallWebhook = single(s, "SELECT max(id) FROM webhook");
        // spread over the partitions made ahead: from a minute from now to the end of the chain
        String span = "(SELECT max(upper) FROM herald_partition WHERE parent = 'delivery_log')"
                + " - clock_timestamp() - interval '2 minutes'";
        String finished = "clock_timestamp() + interval '1 minute' + (g::float8 / " + rows + ") * (" + span + ")";
        String columns = "INSERT INTO delivery_log (delivery_id, event_id, event_accepted_at, webhook_id, application_id,"
                + " status, attempt_count, created_at, logged_at, attempted_at, duration_ms, status_code, error)";
        s.execute(columns + " SELECT nextval(pg_get_serial_sequence('delivery', 'id')), 1000000 + g / 1000,"
                + " t - interval '2 seconds', " + firstWebhook + " + g % 1000, 1000, CASE WHEN g % 50 = 0 THEN 3 ELSE 2 END,"
                + " CASE WHEN g % 50 = 0 THEN 4 ELSE 1 END, t - interval '1 second', t, t - interval '1 second', 12,"
                + " CASE WHEN g % 50 = 0 THEN 500 ELSE 200 END, CASE WHEN g % 50 = 0 THEN 'http_500' END"
                + " FROM generate_series(1, " + rows + ") g, LATERAL (SELECT " + finished + " AS t) x");
        s.execute(columns + " SELECT nextval(pg_get_serial_sequence('delivery', 'id')), 5000000 + g,"
                + " t - interval '2 seconds', " + smallWebhook + ", 1001, 2, 1, t - interval '1 second', t,"
                + " t - interval '1 second', 12, 200, NULL"
                + " FROM generate_series(1, 1000) g, LATERAL (SELECT clock_timestamp() + interval '1 minute'"
                + " + (g::float8 / 1000) * (" + span + ") AS t) x");
        s.execute("ANALYZE");
    }

    /** An hour in the middle of the seeded span, as GraphQL times. */
    private static String[] timeWindow(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT to_char(m AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
                        + " to_char((m + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                        + " FROM (SELECT min(created_at) + (max(created_at) - min(created_at)) / 2 AS m"
                        + " FROM delivery_history WHERE application_id = 1000) x")) {
            r.next();
            return new String[] { r.getString(1), r.getString(2) };
        }
    }

    private static String post(HttpClient http, int port, String key, String query) throws Exception {
        String body = "{\"query\": \"" + query.replace("\"", "\\\"") + "\"}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/graphql"))
                .header("Content-Type", "application/json").header("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String text(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
