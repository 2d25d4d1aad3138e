package dev.herald.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * Producers reporting one notification per request, as a notification service reports each status change:
 * {@code connections} keep-alive connections, each posting one bench event to {@code POST /v1/events} as soon as its
 * previous answer came, for a warm-up and then for the measured seconds. Arguments: heraldPort apiKey providerId
 * connections warmupSeconds seconds. Prints
 * {@code INGEST requests=N failed=N seconds=S per_s=R p50_ms=A p99_ms=B} for the measured part.
 */
public final class BenchIngest {

    private BenchIngest() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String key = args[1];
        int provider = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        int warmup = Integer.parseInt(args[4]);
        int seconds = Integer.parseInt(args[5]);
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(60)
                .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(connections));
        try {
            run(client, key, provider, connections, warmup);
            Result result = run(client, key, provider, connections, seconds);
            List<Long> sorted = result.latencies;
            Collections.sort(sorted);
            System.out.printf("INGEST requests=%d failed=%d seconds=%d per_s=%.0f p50_ms=%.1f p99_ms=%.1f%n",
                    sorted.size(), result.failed.get(), seconds, sorted.size() / (double) seconds,
                    percentile(sorted, 0.50), percentile(sorted, 0.99));
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private record Result(List<Long> latencies, AtomicLong failed) {
    }

    /** Every connection posts one event after another until {@code seconds} have passed. */
    private static Result run(HttpClient client, String key, int provider, int connections, int seconds)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Result result = new Result(Collections.synchronizedList(new ArrayList<>()), new AtomicLong());
        AtomicLong ids = new AtomicLong();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            post(client, key, provider, ids, end, result, done);
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(seconds + 60L, TimeUnit.SECONDS);
        return result;
    }

    private static void post(HttpClient client, String key, int provider, AtomicLong ids, long end, Result result,
            CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        long started = System.nanoTime();
        Buffer body = Buffer.buffer(BenchEvent.json(ids.incrementAndGet(), provider, System.currentTimeMillis()));
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v1/events").setTimeout(10_000)
                .putHeader("Content-Type", "application/json").putHeader("X-API-Key", key))
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(response.statusCode()))
                .onComplete(answer -> {
                    if (answer.succeeded() && answer.result() == 202) {
                        result.latencies.add(System.nanoTime() - started);
                    } else {
                        result.failed.incrementAndGet();
                    }
                    post(client, key, provider, ids, end, result, done);
                });
    }

    private static double percentile(List<Long> sortedNanos, double share) {
        if (sortedNanos.isEmpty()) {
            return 0;
        }
        return sortedNanos.get((int) Math.ceil(sortedNanos.size() * share) - 1) / 1e6;
    }
}
