package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.herald.delivery.Signatures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP floor of a delivery: signed POSTs of a bench event from a Vert.x client to the sink, keep-alive, as
 * many at once as Herald runs attempts (herald.dispatch.max-concurrent-attempts, 512) over as many connections as
 * Herald's pool per origin (512), spread over the same endpoint paths; no database. Each request is signed with
 * Herald's own {@link Signatures} when it is made, on the client's event loops, as Herald signs. Arguments:
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
            // lost answers waited ANSWER_TIMEOUT_NANOS each: such a run's rate is no floor, and says so
            System.out.printf("HTTP_FLOOR requests=%d failed=%d lost=%d seconds=%.2f per_s=%.0f%n", requests,
                    result.failed(), result.lost(), seconds, requests / seconds);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends {@code n} requests, at most {@code inFlight} at once, each made on an event loop's context as Herald
     * makes its attempts; answers how many did not get a 2xx. An answer that never comes is counted as failed after
     * {@link #ANSWER_TIMEOUT_NANOS} (a sweeper, not the client's own timeout), so that a lost answer cannot stall
     * the benchmark; the printed figure then says so ({@code lost=N}).
     */
    private static Result run(Vertx vertx, HttpClient client, int port, int n, int endpoints, int inFlight, byte[] key)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        Map<Integer, Long> pending = new ConcurrentHashMap<>();
        Runnable settle = () -> {
            window.release();
            done.countDown();
        };
        long sweeper = vertx.setPeriodic(1_000, timer -> {
            long now = System.nanoTime();
            pending.forEach((id, started) -> {
                if (now - started > ANSWER_TIMEOUT_NANOS && pending.remove(id) != null) {
                    lost.incrementAndGet();
                    settle.run();
                }
            });
        });
        Context[] contexts = new Context[2 * Runtime.getRuntime().availableProcessors()];
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = vertx.getOrCreateContext(); // from a thread of no context: a new one, on the next loop
        }
        for (int i = 0; i < n; i++) {
            window.acquire();
            int id = i;
            pending.put(id, System.nanoTime());
            contexts[i % contexts.length].runOnContext(ignored -> send(client, port, id, id % endpoints, key)
                    .onComplete(result -> {
                        if (pending.remove(id) == null) {
                            return; // already counted as lost
                        }
                        if (result.failed() || result.result() / 100 != 2) {
                            failed.incrementAndGet();
                        }
                        settle.run();
                    }));
        }
        boolean finished = done.await(10, TimeUnit.MINUTES);
        vertx.cancelTimer(sweeper);
        if (!finished) {
            throw new IllegalStateException("requests unanswered after 10 minutes: " + done.getCount());
        }
        return new Result(failed.get(), lost.get());
    }

    /** One signed POST of the bench event of {@code endpoint}; its status code. */
    private static Future<Integer> send(HttpClient client, int port, int id, int endpoint, byte[] key) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/e" + endpoint);
        return client.request(options).compose(request -> {
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

    private record Result(long failed, long lost) {
    }
}
