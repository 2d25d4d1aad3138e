package dev.herald.delivery;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

/**
 * POSTs one attempt with the Vert.x HTTP client: the destination checked first ({@link DestinationCheck}) and the
 * connection made to that checked address only; signed afresh; keep-alive connections pooled per origin;
 * redirects never followed; at most {@link #MAX_ANSWER_READ} bytes of an answer read.
 *
 * <p>Every attempt has one absolute deadline, {@code herald.delivery.timeout} after it starts or the end of its
 * claim's lease, whichever comes first. When it passes, in any stage (name lookup, connect, TLS, waiting for the
 * answer, a body that drips), the outcome is a timeout and the request is reset, which closes its connection: no
 * request outlives its recorded outcome or its claim. A connection still being opened then is never sent
 * anything; the client's connect and TLS handshake timeouts (the attempt timeout at most) close it. A claim that
 * went stale before its attempt started is given back unsent. The returned Uni never fails: every failure is the
 * attempt's outcome.
 */
@ApplicationScoped
public class WebhookSender {

    /** Bytes of an answer read before the connection is closed. */
    static final int MAX_ANSWER_READ = 64 * 1024;
    /** Characters of an answer kept in the attempt log. */
    static final int EXCERPT_LENGTH = 1024;

    @Inject
    Vertx vertx;

    @Inject
    DeliveryConfig config;

    @Inject
    DestinationCheck destinations;

    HttpClient client;

    @PostConstruct
    void createClient() {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(60)
                .setConnectTimeout(Math.min(timeoutMillis, 10_000))
                // a handshake that never ends is closed within the attempt timeout of its start
                .setSslHandshakeTimeout(timeoutMillis)
                .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                // Herald sends each attempt's trace context itself (Tracing); Vert.x must add none of its own
                .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.IGNORE)
                .setTryUseCompression(false)
                .setDecompressionSupported(false);
        // a pool per origin; endpoints sharing an origin must never queue behind each other's slow answers
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerOrigin());
        client = vertx.createHttpClient(options, pool);
    }

    @PreDestroy
    void closeClient() {
        client.close();
    }

    public Uni<AttemptResult> send(OutgoingRequest outgoing) {
        return Uni.createFrom().emitter(emitter -> new Attempt(outgoing, emitter).start());
    }

    /** The state of one attempt between the callbacks of the Vert.x client. */
    private final class Attempt {

        private final OutgoingRequest outgoing;
        private final UniEmitter<? super AttemptResult> emitter;
        private final Instant attemptedAt = Instant.now();
        private final long startedNanos = System.nanoTime();
        private final long deadlineNanos;
        private final Context context = vertx.getOrCreateContext();
        private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        private final AtomicBoolean finished = new AtomicBoolean();
        private long deadlineTimer = -1;

        Attempt(OutgoingRequest outgoing, UniEmitter<? super AttemptResult> emitter) {
            this.outgoing = outgoing;
            this.emitter = emitter;
            this.deadlineNanos = Math.min(startedNanos + outgoing.timeout().toNanos(), outgoing.leaseEndsNanos());
        }

        void start() {
            emitter.onTermination(() -> {
                if (finished.compareAndSet(false, true)) { // cancelled: end the request too
                    cancelDeadline();
                    abort();
                }
            });
            long remainingMillis = (deadlineNanos - startedNanos) / 1_000_000;
            if (remainingMillis <= 0) {
                finish(AttemptResult.notSent("the claim's lease ended before the attempt started"));
                return;
            }
            if (startedNanos > outgoing.startByNanos()) {
                finish(AttemptResult.notSent("the claim went stale before the attempt started"));
                return;
            }
            deadlineTimer = vertx.setTimer(remainingMillis, id -> expire());
            URI url;
            try {
                url = new URI(outgoing.url());
            } catch (URISyntaxException e) {
                finish(AttemptResult.blocked("not a URL"));
                return;
            }
            destinations.check(url)
                    .emitOn(task -> context.runOnContext(ignored -> task.run()))
                    .subscribe().with(destination -> connect(url, destination),
                            failure -> finish(result(null, classify(failure), null, null)));
        }

        private void connect(URI url, Destination destination) {
            if (finished.get()) {
                return;
            }
            if (!destination.allowed()) {
                finish(AttemptResult.blocked(destination.refusal()));
                return;
            }
            try {
                request(url, destination);
            } catch (RuntimeException unusable) {
                // e.g. a stored URL whose port is out of range: thrown here, it would be dropped by the subscriber
                finish(AttemptResult.blocked("not a usable URL (" + unusable.getClass().getSimpleName()
                        + ")"));
            }
        }

        private void request(URI url, Destination destination) {
            byte[] body = outgoing.body().getBytes(StandardCharsets.UTF_8);
            long timestamp = attemptedAt.getEpochSecond();
            int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setAbsoluteURI(outgoing.url())
                    // the checked address, never a second lookup (DNS rebinding); Host and SNI stay the URL's
                    .setServer(SocketAddress.inetSocketAddress(port, destination.address().getHostAddress()))
                    .setConnectTimeout(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000))
                    .setFollowRedirects(false)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.USER_AGENT, "Herald");
            // through the deployment's proxy: CONNECT to the checked address for https (EgressProxy)
            config.proxy().ifPresent(proxy -> options.setProxyOptions(proxy.options()));
            // the owner's headers (they may name another User-Agent), then Herald's own, which they never name
            outgoing.headers().forEach(header -> options.putHeader(header.name(), header.value()));
            if (outgoing.traceparent() != null) {
                options.putHeader("traceparent", outgoing.traceparent());
            }
            options.putHeader("webhook-id", outgoing.messageId())
                    .putHeader("webhook-timestamp", Long.toString(timestamp));
            outgoing.keys().headers(outgoing.messageId(), timestamp, body).forEach(options::putHeader);
            client.request(options)
                    .compose(req -> {
                        request.set(req);
                        // the deadline or the lease may have passed while connecting (a stalled replica runs its
                        // callbacks before its overdue timers): never send then
                        if (finished.get() || System.nanoTime() >= deadlineNanos) {
                            req.reset();
                            return Future.failedFuture(new TimeoutException("attempt deadline passed"));
                        }
                        return req.send(Buffer.buffer(body));
                    })
                    .compose(this::readCapped)
                    .onSuccess(answer -> finish(result(answer.status(),
                            answer.status() / 100 == 2 ? null : "http_" + answer.status(), answer.excerpt(),
                            answer.retryAfter())))
                    .onFailure(failure -> finish(result(null, classify(failure), null, null)));
        }

        private Future<Answer> readCapped(HttpClientResponse response) {
            Promise<Answer> answer = Promise.promise();
            Buffer read = Buffer.buffer();
            response.handler(chunk -> {
                int room = MAX_ANSWER_READ - read.length();
                if (room > 0) {
                    read.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
                }
                if (read.length() >= MAX_ANSWER_READ && answer.tryComplete(Answer.of(response, read))) {
                    response.request().reset(); // enough: do not let a huge answer hold the attempt
                }
            });
            response.exceptionHandler(answer::tryFail);
            response.endHandler(done -> answer.tryComplete(Answer.of(response, read)));
            return answer.future();
        }

        private AttemptResult result(Integer status, String error, String excerpt, Duration retryAfter) {
            int durationMs = (int) ((System.nanoTime() - startedNanos) / 1_000_000);
            return new AttemptResult(durationMs, status, error, excerpt, retryAfter);
        }

        /** The deadline passed: the outcome is a timeout, and the request (if any) is reset at once. */
        private void expire() {
            deadlineTimer = -1;
            if (finish(result(null, "timeout", null, null))) {
                abort();
            }
        }

        /** Resets the request, closing its connection; harmless when it already ended. */
        private void abort() {
            HttpClientRequest req = request.get();
            if (req != null) {
                req.reset(0, new TimeoutException("attempt deadline passed"));
            }
        }

        /** Emits the outcome once; answers whether this call did. */
        private boolean finish(AttemptResult result) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            cancelDeadline();
            emitter.complete(result);
            return true;
        }

        private void cancelDeadline() {
            if (deadlineTimer != -1) {
                vertx.cancelTimer(deadlineTimer);
                deadlineTimer = -1;
            }
        }
    }

    private record Answer(int status, String excerpt, Duration retryAfter) {

        static Answer of(HttpClientResponse response, Buffer body) {
            // PostgreSQL text cannot hold NUL
            String text = body.getString(0, body.length(), StandardCharsets.UTF_8.name()).replace('\u0000', '\uFFFD');
            return new Answer(response.statusCode(),
                    text.length() > EXCERPT_LENGTH ? text.substring(0, EXCERPT_LENGTH) : text,
                    RetryAfter.parse(response.getHeader("Retry-After"), Instant.now()));
        }
    }

    static String classify(Throwable failure) {
        // Netty's ConnectTimeoutException is a ConnectException: test for timeouts first
        if (failure instanceof TimeoutException || failure instanceof io.netty.handler.timeout.TimeoutException
                || failure instanceof io.netty.channel.ConnectTimeoutException) {
            return "timeout";
        }
        String reason = failure instanceof ConnectException ? "connection refused"
                : failure instanceof NameNotResolved ? failure.getMessage()
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        // an exception's message may carry anything, NUL included, which PostgreSQL text cannot hold
        reason = reason.replace('\u0000', '\uFFFD');
        return "network: " + (reason.length() > 200 ? reason.substring(0, 200) : reason);
    }
}
