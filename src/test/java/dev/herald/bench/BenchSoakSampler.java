package dev.herald.bench;

import java.io.FileWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.StringJoiner;

import io.vertx.core.json.JsonObject;

/**
 * The soak's sampler, one process for the whole soak: every 30 s it reads the sink's figures and resets them, then
 * the size of Herald's tables and indexes and the dead tuples, and appends a line to the output file:
 * {@code seconds mb dead_tuples delivered_per_s p99_ms late_seconds}, the last being the seconds (UTC) with more
 * than 20 arrivals later than 100 ms, or {@code -}. One JVM started once: a tool started per sample took a core
 * for a second each time and showed up as late arrivals right after every sample. Runs until killed.
 * Arguments: jdbcUrl sinkPort outputFile.
 */
public final class BenchSoakSampler {

    private static final long EVERY_MS = 30_000;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private BenchSoakSampler() {
    }

    public static void main(String[] args) throws Exception {
        String sink = "http://127.0.0.1:" + args[1];
        HttpClient http = HttpClient.newHttpClient();
        long start = System.currentTimeMillis();
        try (Connection c = DriverManager.getConnection(args[0], "postgres", "postgres"); Statement s = c.createStatement();
                PrintWriter out = new PrintWriter(new FileWriter(args[2], true), true)) {
            out.println("seconds mb dead_tuples delivered_per_s p99_ms late_seconds");
            for (long tick = 1;; tick++) {
                Thread.sleep(Math.max(0, start + tick * EVERY_MS - System.currentTimeMillis()));
                JsonObject stats = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(sink + "/_stats")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                http.send(HttpRequest.newBuilder(URI.create(sink + "/_reset")).POST(HttpRequest.BodyPublishers.noBody())
                        .build(), HttpResponse.BodyHandlers.discarding());
                long bytes = single(s, "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                        + " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'");
                long dead = single(s, "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables");
                out.printf("%d %d %d %d %d %s%n", (System.currentTimeMillis() - start) / 1000, bytes / 1_048_576, dead,
                        stats.getLong("received") * 1000 / EVERY_MS, stats.getLong("p99"), lateSeconds(stats));
            }
        }
    }

    private static String lateSeconds(JsonObject stats) {
        long first = stats.getLong("firstMs") / 1000;
        StringJoiner late = new StringJoiner(",");
        JsonObject bySecond = stats.getJsonObject("lateBySecond");
        for (String second : bySecond.fieldNames()) {
            int count = bySecond.getInteger(second);
            if (count > 20) {
                late.add(CLOCK.format(Instant.ofEpochSecond(first + Long.parseLong(second))) + "=" + count);
            }
        }
        return late.length() == 0 ? "-" : late.toString();
    }

    private static long single(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
