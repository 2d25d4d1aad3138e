package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.herald.delivery.Signatures;
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
 * sinkPort requests endpoints [inFlight]. Prints {@code HTTP_FLOOR requests=N seconds=S per_s=R}.
 */
public final class BenchHttpFloor {

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
            run(client, port, Math.min(requests, 20_000), endpoints, inFlight, key); // warm-up: JIT and connections
            long started = System.nanoTime();
            long failed = run(client, port, requests, endpoints, inFlight, key);
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("HTTP_FLOOR requests=%d failed=%d seconds=%.2f per_s=%.0f%n", requests, failed, seconds,
                    requests / seconds);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Sends {@code n} requests, at most {@code inFlight} at once; answers how many did not get a 2xx. */
    private static long run(HttpClient client, int port, int n, int endpoints, int inFlight, byte[] key)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(n);
        AtomicLong failed = new AtomicLong();
        for (int i = 0; i < n; i++) {
            window.acquire();
            int id = i;
            int endpoint = i % endpoints;
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                    .setURI("/e" + endpoint);
            client.request(options).compose(request -> {
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
            }).compose(response -> response.body().map(ignored -> response.statusCode())).onComplete(result -> {
                if (result.failed() || result.result() / 100 != 2) {
                    failed.incrementAndGet();
                }
                window.release();
                done.countDown();
            });
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("requests unanswered after 10 minutes: " + done.getCount());
        }
        return failed.get();
    }
}
