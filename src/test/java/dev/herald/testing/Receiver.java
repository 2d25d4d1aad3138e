package dev.herald.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

import org.awaitility.Awaitility;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;

/**
 * A real webhook receiver on loopback: each URL path is an endpoint that records what reached it (time, headers,
 * exact body, and when the sender closed the connection) and answers as told: a status after a delay, nothing at
 * all, a body that drips forever, or a reset. Tracks requests open per path: received and neither answered nor
 * cut off.
 */
public final class Receiver implements AutoCloseable {

    /**
     * One request as the receiver saw it; {@code connectionClosed} completes when its connection closes;
     * {@code remotePort} is the sender's port (which process sent it can be told while the connection is open);
     * {@code clientCertificate} the subject of the TLS client certificate the sender presented, or null.
     */
    public record Received(String path, Instant at, MultiMap headers, byte[] body,
            CompletableFuture<Instant> connectionClosed, int remotePort, String clientCertificate) {

        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The headers as a Standard Webhooks verifier takes them: lower-case names, each with its values. */
        public Map<String, List<String>> headerLists() {
            Map<String, List<String>> lists = new java.util.HashMap<>();
            headers.forEach(entry -> lists.computeIfAbsent(entry.getKey().toLowerCase(java.util.Locale.ROOT),
                    name -> new java.util.ArrayList<>()).add(entry.getValue()));
            return lists;
        }
    }

    private enum Mode {
        ANSWER, SILENT, DRIP, RESET
    }

    /** How a path answers. */
    public record Behaviour(int status, Duration delay, Map<String, String> headers, String body, Mode mode) {

        public Behaviour(int status, Duration delay, Map<String, String> headers, String body) {
            this(status, delay, headers, body, Mode.ANSWER);
        }

        public Behaviour(int status, Duration delay) {
            this(status, delay, Map.of(), "{\"received\":true}");
        }

        /** Reads the request and never answers. */
        public static Behaviour silent() {
            return new Behaviour(0, Duration.ZERO, Map.of(), "", Mode.SILENT);
        }

        /** Answers 200 with its headers at once, then one byte of body every {@code every}, never ending. */
        public static Behaviour drip(Duration every) {
            return new Behaviour(200, every, Map.of(), "", Mode.DRIP);
        }

        /** Closes the connection instead of answering. */
        public static Behaviour reset() {
            return new Behaviour(0, Duration.ZERO, Map.of(), "", Mode.RESET);
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final String host;
    private final String scheme;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, Queue<Behaviour>> onceBehaviours = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Function<byte[], Behaviour>> deciders = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peakOpen = new ConcurrentHashMap<>();

    public Receiver() throws Exception {
        this("127.0.0.1");
    }

    /** A receiver on another loopback address, such as 127.0.0.2. */
    public Receiver(String host) throws Exception {
        this(host, new HttpServerOptions());
    }

    /**
     * An https receiver on 127.0.0.1 with the certificate of this PKCS#12 key store (its URLs name
     * {@code localhost}, which the certificate must hold).
     */
    public static Receiver https(java.nio.file.Path keyStore, String password) throws Exception {
        return new Receiver("localhost", new HttpServerOptions().setSsl(true).setHost("127.0.0.1")
                .setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword(password)));
    }

    /**
     * An https receiver as {@link #https}, that takes only connections presenting a client certificate it trusts
     * (mTLS): the one given, in PEM.
     */
    public static Receiver httpsRequiringClientCertificate(java.nio.file.Path keyStore, String password,
            String trustedClientCertificate) throws Exception {
        return new Receiver("localhost", new HttpServerOptions().setSsl(true).setHost("127.0.0.1")
                .setKeyCertOptions(new PfxOptions().setPath(keyStore.toString()).setPassword(password))
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(trustedClientCertificate))));
    }

    /**
     * Requests to {@code path} are answered as {@code decide} says from their body (null: as otherwise set). It runs on
     * the receiver's event loop, one request at a time.
     */
    public void answerBy(String path, Function<byte[], Behaviour> decide) {
        deciders.put(path, decide);
    }

    /** Requests to {@code path} whose headers {@code accepted} refuses are answered {@code status} and nothing else. */
    public void refuseUnless(String path, Predicate<MultiMap> accepted, int status) {
        guards.put(path, new Guard(accepted, status));
    }

    private record Guard(Predicate<MultiMap> accepted, int status) {
    }

    private Receiver(String host, HttpServerOptions options) throws Exception {
        this.host = host;
        this.scheme = options.isSsl() ? "https" : "http";
        server = vertx.createHttpServer(options)
                .requestHandler(request -> request.body().onSuccess(body -> receive(request, body.getBytes())))
                .connectionHandler(connection -> connections.incrementAndGet())
                .listen(0, options.isSsl() ? "127.0.0.1" : host).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private void receive(HttpServerRequest request, byte[] body) {
        String path = request.path();
        CompletableFuture<Instant> closed = new CompletableFuture<>();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
        received.add(new Received(path, Instant.now(), headers, body, closed, request.remoteAddress().port(),
                clientCertificate(request)));
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                open.get(path).decrementAndGet();
            }
        };
        int now = open.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        peakOpen.computeIfAbsent(path, p -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        request.connection().closeHandler(v -> {
            closed.complete(Instant.now());
            end.run();
        });
        Guard guard = guards.get(path);
        Behaviour once = onceBehaviours.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
        Function<byte[], Behaviour> decide = deciders.get(path);
        Behaviour decided = decide == null ? null : decide.apply(body);
        Behaviour behaviour = guard != null && !guard.accepted().test(headers) ? new Behaviour(guard.status(), Duration.ZERO)
                : decided != null ? decided
                : once != null ? once : behaviours.getOrDefault(path, new Behaviour(200, Duration.ZERO));
        switch (behaviour.mode()) {
            case SILENT -> {
                // the request stays open until the sender gives up
            }
            case RESET -> request.connection().close();
            case DRIP -> {
                var response = request.response().setStatusCode(200).setChunked(true);
                response.write("[");
                vertx.setPeriodic(behaviour.delay().toMillis(), id -> {
                    if (closed.isDone()) {
                        vertx.cancelTimer(id);
                    } else {
                        response.write(" ");
                    }
                });
            }
            case ANSWER -> {
                Runnable answer = () -> {
                    end.run();
                    var response = request.response().setStatusCode(behaviour.status());
                    behaviour.headers().forEach(response::putHeader);
                    response.end(behaviour.body());
                };
                if (behaviour.delay().isZero()) {
                    answer.run();
                } else {
                    vertx.setTimer(behaviour.delay().toMillis(), id -> answer.run());
                }
            }
        }
    }

    private static String clientCertificate(HttpServerRequest request) {
        try {
            if (!request.isSSL()) {
                return null;
            }
            var certificates = request.connection().peerCertificates();
            return certificates.isEmpty() ? null
                    : ((java.security.cert.X509Certificate) certificates.get(0)).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
            return null;
        }
    }

    /** The URL of an endpoint on this receiver. */
    public String url(String path) {
        return scheme + "://" + host + ":" + server.actualPort() + path;
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
        onceBehaviours.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).add(behaviour);
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
    public void awaitTotal(int count, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            if (received.size() < count) {
                throw new AssertionError(received.size() + " of " + count + " requests received");
            }
        });
    }

    /** The most requests that were open at once at the path (received, not yet answered or cut off). */
    public int peakInFlight(String path) {
        AtomicInteger peak = peakOpen.get(path);
        return peak == null ? 0 : peak.get();
    }

    /** Requests open at the path now. */
    public int inFlight(String path) {
        AtomicInteger now = open.get(path);
        return now == null ? 0 : now.get();
    }

    /** Waits (bounded) until the requests at a path satisfy the condition; returns them. */
    public List<Received> await(String path, Predicate<List<Received>> condition, Duration timeout) {
        AtomicReference<List<Received>> seen = new AtomicReference<>(List.of());
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            seen.set(at(path));
            if (!condition.test(seen.get())) {
                throw new AssertionError("waiting at " + path + "; got " + seen.get().size());
            }
        });
        return seen.get();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
