package dev.herald.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A real webhook receiver on loopback: each URL path is an endpoint that records what reached it (time,
 * headers, exact body) and answers as told (status, delay). Tracks requests in flight per path.
 */
public final class Receiver implements AutoCloseable {

    /** One request as the receiver saw it. */
    public record Received(String path, Instant at, MultiMap headers, byte[] body) {

        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** How a path answers. */
    public record Behaviour(int status, Duration delay, Map<String, String> headers, String body) {

        public Behaviour(int status, Duration delay) {
            this(status, delay, Map.of(), "{\"received\":true}");
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final String host;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, java.util.Queue<Behaviour>> onceBehaviours = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peakInFlight = new ConcurrentHashMap<>();

    public Receiver() throws Exception {
        this("127.0.0.1");
    }

    /** A receiver on another loopback address, such as 127.0.0.2. */
    public Receiver(String host) throws Exception {
        this.host = host;
        server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            String path = request.path();
            received.add(new Received(path, Instant.now(), MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
                    body.getBytes()));
            int now = inFlight.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            peakInFlight.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            Behaviour once = onceBehaviours.getOrDefault(path, new java.util.concurrent.ConcurrentLinkedQueue<>()).poll();
            Behaviour behaviour = once != null ? once : behaviours.getOrDefault(path, new Behaviour(200, Duration.ZERO));
            Runnable answer = () -> {
                inFlight.get(path).decrementAndGet();
                var response = request.response().setStatusCode(behaviour.status());
                behaviour.headers().forEach(response::putHeader);
                response.end(behaviour.body());
            };
            if (behaviour.delay().isZero()) {
                answer.run();
            } else {
                vertx.setTimer(behaviour.delay().toMillis(), id -> answer.run());
            }
        })).connectionHandler(connection -> connections.incrementAndGet()).listen(0, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The URL of an endpoint on this receiver. */
    public String url(String path) {
        return "http://" + host + ":" + server.actualPort() + path;
    }

    public int port() {
        return server.actualPort();
    }

    /** TCP connections accepted so far: a canary that proves no connection was even attempted. */
    public int connections() {
        return connections.get();
    }

    /** Answers the next request at the path this way, once, before its usual behaviour. */
    public void answerOnce(String path, Behaviour behaviour) {
        onceBehaviours.computeIfAbsent(path, p -> new java.util.concurrent.ConcurrentLinkedQueue<>()).add(behaviour);
    }

    public void answer(String path, Behaviour behaviour) {
        behaviours.put(path, behaviour);
    }

    public void answer(String path, int status, Duration delay) {
        behaviours.put(path, new Behaviour(status, delay));
    }

    public List<Received> at(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Requests received over all paths. */
    public int total() {
        return received.size();
    }

    /** Waits (bounded) until the receiver has had at least {@code count} requests in all. */
    public void awaitTotal(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " with " + received.size() + " of " + count);
            }
            Thread.sleep(10);
        }
    }

    public int peakInFlight(String path) {
        AtomicInteger peak = peakInFlight.get(path);
        return peak == null ? 0 : peak.get();
    }

    /** Waits (bounded) until the requests at a path satisfy the condition; returns them. */
    public List<Received> await(String path, Predicate<List<Received>> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Received> now = at(path);
        while (!condition.test(now)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting at " + path + "; got " + now.size());
            }
            Thread.sleep(20);
            now = at(path);
        }
        return now;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
