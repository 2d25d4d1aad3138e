package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.herald.delivery.Signatures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP floor of a delivery: signed POSTs of a bench event from a Vert.x client to the sink, keep-alive, as
 * many at once as Herald runs attempts (herald.dispatch.max-concurrent-attempts, 512) over as many connections as
 * Herald's pool per origin (512), spread over the same endpoint paths; no database. Each request is signed with
 * Herald's own {@link Signatures} when it is made, on the client's event loop, as Herald signs. Arguments:
 * sinkPort requests endpoints [inFlight]. Prints {@code HTTP_FLOOR requests=N failed=N lost=N seconds=S per_s=R}.
 */
public final class BenchHttpFloor {

    /** How long an answer may take before it counts as lost (the sink answers at once). */
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private BenchHttpFloor() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int requests = Integer.parseInt(args[1]);
        int endpoints = Integer.parseInt(args[2]);
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 512;
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2 * Runtime.getRuntime().availableProcessors()));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(60)
                .setTryUseCompression(false), new PoolOptions().setHttp1MaxSize(512));
        try {
            run(vertx, client, port, Math.min(requests, 20_000), endpoints, inFlight, key); // warm-up: JIT, connections
            long started = System.nanoTime();
            Result result = run(vertx, client, port, requests, endpoints, inFlight, key);
            double seconds = (System.nanoTime() - started) / 1e9;
            // a lost answer waited ANSWER_TIMEOUT_NANOS: bench/run takes such a run's rate for no floor
            System.out.printf("HTTP_FLOOR requests=%d failed=%d lost=%d seconds=%.2f per_s=%.0f%n", requests,
                    result.failed(), result.lost(), seconds, requests / seconds);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends {@code n} requests, at most {@code inFlight} at once; answers how many did not get a 2xx and how many
     * answers never came. The requests are made from this (main) thread, so Vert.x runs them all on the one context
     * it keeps for it, on one event loop: spread over four loops' contexts instead they made 19,500/s in the mean
     * of six runs on this 2-core machine, against about 23,500/s (2026-12-06), and a floor should be the faster.
     * An answer that has not come {@link #ANSWER_TIMEOUT_NANOS} after its request was queued is counted as lost and
     * its request reset (a sweeper, not the client's own timeout), so that a lost answer cannot stall the run.
     */
    private static Result run(Vertx vertx, HttpClient client, int port, int n, int endpoints, int inFlight,
            byte[] key) throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        Map<Integer, Pending> pending = new ConcurrentHashMap<>();
        Runnable settle = () -> {
            window.release();
            done.countDown();
        };
        long sweeper = vertx.setPeriodic(1_000, timer -> {
            long now = System.nanoTime();
            pending.forEach((id, waiting) -> {
                if (now - waiting.queuedNanos() > ANSWER_TIMEOUT_NANOS && pending.remove(id) != null) {
                    HttpClientRequest request = waiting.request().get();
                    if (request != null) {
                        request.reset(); // frees its connection for the requests after it
                    }
                    lost.incrementAndGet();
                    settle.run();
                }
            });
        });
        for (int i = 0; i < n; i++) {
            window.acquire();
            int id = i;
            Pending waiting = new Pending(System.nanoTime(), new AtomicReference<>());
            pending.put(id, waiting);
            send(client, port, id, id % endpoints, key, waiting.request()).onComplete(result -> {
                if (pending.remove(id) == null) {
                    return; // already counted as lost
                }
                if (result.failed() || result.result() / 100 != 2) {
                    failed.incrementAndGet();
                }
                settle.run();
            });
        }
        boolean finished = done.await(10, TimeUnit.MINUTES);
        vertx.cancelTimer(sweeper);
        if (!finished) {
            throw new IllegalStateException("requests unanswered after 10 minutes: " + done.getCount());
        }
        return new Result(failed.get(), lost.get());
    }

    /** One signed POST of the bench event of {@code endpoint}, its request kept in {@code sent}; its status code. */
    private static Future<Integer> send(HttpClient client, int port, int id, int endpoint, byte[] key,
            AtomicReference<HttpClientRequest> sent) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/e" + endpoint);
        return client.request(options).compose(request -> {
            sent.set(request);
            // the producer's event of this endpoint (BenchSeed: provider 100000 + n posts to /e<n>)
            byte[] body = BenchEvent.json(id, 100_000 + endpoint, System.currentTimeMillis())
                    .getBytes(StandardCharsets.UTF_8);
            String messageId = "msg_floor_" + id;
            long timestamp = System.currentTimeMillis() / 1000;
            request.putHeader("content-type", "application/json")
                    .putHeader("webhook-id", messageId)
                    .putHeader("webhook-timestamp", Long.toString(timestamp))
                    .putHeader("webhook-signature", Signatures.standard(key, messageId, timestamp, body));
            return request.send(Buffer.buffer(body));
        }).compose(response -> response.body().map(ignored -> response.statusCode()));
    }

    /** A request queued at {@code queuedNanos}, and once made, the request itself. */
    private record Pending(long queuedNanos, AtomicReference<HttpClientRequest> request) {
    }

    private record Result(long failed, long lost) {
    }
}
