package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

/**
 * The benchmark's webhook receiver (Vert.x, loopback). Every URL path is an endpoint. Paths under
 * {@code /slow/} answer after 2 s and under {@code /fail/} with 500; the rest at once with 200. It records,
 * per request: the path, when it arrived, and the latency from the event's {@code sentAt} (epoch ms, set by
 * the producer) to now; and per path the peak in flight and webhook-ids seen twice.
 * {@code GET /_stats} answers the figures, {@code POST /_reset} forgets them.
 */
public final class BenchSink {

    private static final Set<String> seen = ConcurrentHashMap.newKeySet();
    private static final AtomicLong duplicates = new AtomicLong();
    private static final AtomicLong received = new AtomicLong();
    private static final ConcurrentLinkedQueue<Long> latenciesMs = new ConcurrentLinkedQueue<>();
    /** Arrivals later than 100 ms after their INSERT, by the second they arrived in: when the tail happened. */
    private static final Map<Long, AtomicInteger> lateBySecond = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private static final Map<String, ConcurrentLinkedQueue<Long>> arrivalsByPath = new ConcurrentHashMap<>();
    /** Arrivals of each delivery to a /fail/ path, to measure how late its retries come. */
    private static final Map<String, ConcurrentLinkedQueue<Long>> retries = new ConcurrentHashMap<>();
    private static final long[] RETRY_WAITS_MS = { 4_000, 8_000, 10_000 };
    private static final AtomicLong fanCount = new AtomicLong();
    private static volatile long firstMs;
    private static volatile long lastMs;

    private BenchSink() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        vertx.createHttpServer().requestHandler(request -> {
            String path = request.path();
            if (path.equals("/_stats")) {
                request.response().putHeader("content-type", "application/json").end(stats().encode());
                return;
            }
            if (path.equals("/_reset")) {
                reset();
                request.response().end();
                return;
            }
            request.body().onSuccess(body -> {
                long now = System.currentTimeMillis();
                record(path, now, request.getHeader("webhook-id"), body.toString());
                int current = inFlight.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                peak.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(current, Math::max);
                Runnable answer = () -> {
                    inFlight.get(path).decrementAndGet();
                    request.response().setStatusCode(path.startsWith("/fail/") ? 500 : 200).end();
                };
                if (path.startsWith("/slow/")) {
                    vertx.setTimer(2_000, id -> answer.run());
                } else {
                    answer.run();
                }
            });
        }).listen(port, "127.0.0.1").onSuccess(server -> System.out.println("READY " + server.actualPort()));
    }

    private static void record(String path, long now, String webhookId, String body) {
        if (webhookId != null && !path.startsWith("/fail/") && !seen.add(webhookId + path)) {
            duplicates.incrementAndGet();
        }
        if (received.getAndIncrement() == 0) {
            firstMs = now;
        }
        lastMs = now;
        if (!path.startsWith("/slow/") && !path.startsWith("/fail/")) {
            int at = body.indexOf("\"sentAt\":");
            if (at >= 0) {
                int end = at + 9;
                while (end < body.length() && Character.isDigit(body.charAt(end))) {
                    end++;
                }
                long latency = now - Long.parseLong(body.substring(at + 9, end));
                latenciesMs.add(latency);
                if (latency > 100) {
                    lateBySecond.computeIfAbsent(now / 1000, second -> new AtomicInteger()).incrementAndGet();
                }
            }
        }
        if (path.startsWith("/fail/") && webhookId != null) {
            retries.computeIfAbsent(webhookId, id -> new ConcurrentLinkedQueue<>()).add(now);
        }
        if (path.startsWith("/fan/")) {
            fanCount.incrementAndGet();
        }
        if (path.startsWith("/track/")) {
            arrivalsByPath.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).add(now);
        }
    }

    private static JsonObject stats() {
        long[] latency = latenciesMs.stream().mapToLong(Long::longValue).sorted().toArray();
        // per-path figures only for the paths a scenario tracks (/track/...): there may be 10,000 paths
        JsonObject tracked = new JsonObject();
        arrivalsByPath.forEach((path, times) -> {
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            tracked.put(path, new JsonObject().put("count", sorted.length)
                    .put("maxIn60s", maxInWindow(sorted, 60_000))
                    .put("peakInFlight", peak.get(path).get()));
        });
        return new JsonObject()
                .put("received", received.get())
                .put("duplicates", duplicates.get())
                .put("firstMs", firstMs)
                .put("lastMs", lastMs)
                .put("p50", quantile(latency, 0.50)).put("p95", quantile(latency, 0.95)).put("p99", quantile(latency, 0.99))
                .put("latencySamples", latency.length)
                .put("maxPeakInFlight", peak.values().stream().mapToInt(AtomicInteger::get).max().orElse(0))
                .put("tracked", tracked)
                .put("retryLatenessP99", retryLatenessP99())
                .put("retryGaps", retries.values().stream().mapToInt(q -> Math.max(0, q.size() - 1)).sum())
                .put("fanArrivals", fanCount.get())
                .put("lateBySecond", lateBySecond());
    }

    /** Seconds (from the first arrival) and how many arrivals in each came more than 100 ms after their INSERT. */
    private static JsonObject lateBySecond() {
        JsonObject late = new JsonObject();
        lateBySecond.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> late.put(Long.toString(e.getKey() - firstMs / 1000), e.getValue().get()));
        return late;
    }

    /** How much later than its schedule (4, 8, 10 s after the previous failure) each retry arrived. */
    private static long retryLatenessP99() {
        List<Long> lateness = new ArrayList<>();
        for (ConcurrentLinkedQueue<Long> arrivals : retries.values()) {
            long[] sorted = arrivals.stream().mapToLong(Long::longValue).sorted().toArray();
            for (int i = 1; i < sorted.length && i <= RETRY_WAITS_MS.length; i++) {
                lateness.add(sorted[i] - sorted[i - 1] - RETRY_WAITS_MS[i - 1]);
            }
        }
        return quantile(lateness.stream().mapToLong(Long::longValue).sorted().toArray(), 0.99);
    }

    private static long quantile(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    static int maxInWindow(long[] sortedMs, long windowMs) {
        int best = 0;
        int start = 0;
        for (int end = 0; end < sortedMs.length; end++) {
            while (sortedMs[start] + windowMs <= sortedMs[end]) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    private static void reset() {
        seen.clear();
        duplicates.set(0);
        received.set(0);
        latenciesMs.clear();
        lateBySecond.clear();
        inFlight.clear();
        peak.clear();
        arrivalsByPath.clear();
        retries.clear();
        fanCount.set(0);
        firstMs = 0;
        lastMs = 0;
    }
}
