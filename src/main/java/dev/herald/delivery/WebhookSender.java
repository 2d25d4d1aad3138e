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
import io.vertx.core.net.ProxyOptions;
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

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(WebhookSender.class);

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

    @Inject
    OAuth2Tokens tokens;

    HttpClient client;
    /** Clients presenting a webhook's client certificate (mTLS); every other attempt goes through {@link #client}. */
    private CertificateClients certificateClients;

    @PostConstruct
    void createClient() {
        // a pool per origin; endpoints sharing an origin must never queue behind each other's slow answers
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerOrigin());
        client = newClient(clientOptions(), pool);
        // an attempt ends within its timeout (the deployment's, or its webhook's of at most 30 s): a client leaving
        // the set is closed after the longest
        Duration longest = config.timeout().compareTo(AttemptSettings.MAX_OWN_TIMEOUT) > 0 ? config.timeout()
                : AttemptSettings.MAX_OWN_TIMEOUT;
        certificateClients = new CertificateClients(vertx,
                certificate -> newClient(clientOptions().setKeyCertOptions(certificate.options()), pool),
                longest.plusSeconds(5));
    }

    /**
     * A client whose connections report their failures to the attempts on them only: a receiver that refuses the TLS
     * client certificate after the handshake (TLS 1.3) fails the request, and Vert.x would also log it as an ERROR
     * without any context, once per attempt.
     */
    private HttpClient newClient(HttpClientOptions options, PoolOptions pool) {
        return vertx.httpClientBuilder().with(options).with(pool)
                .withConnectHandler(connection -> connection.exceptionHandler(failure -> LOG.debugf(
                        "A connection to a receiver failed: %s", failure)))
                .build();
    }

    private HttpClientOptions clientOptions() {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis());
        return new HttpClientOptions()
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
    }

    @PreDestroy
    void closeClient() {
        client.close();
        certificateClients.closeAll();
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
            ReceiverAccess access = outgoing.access();
            HttpClient http = access.certificate() == null ? client : certificateClients.of(access.certificate());
            proxy(access.proxy())
                    .compose(proxy -> bearer(access, http, proxy, null)
                            .compose(token -> exchange(http, url, destination, proxy, token)
                                    // a cached token the receiver no longer takes: a new one, and the request once more
                                    .compose(answer -> answer.status() == 401 && token != null && !token.fetched()
                                            && !finished.get()
                                                    ? bearer(access, http, proxy, token.value()).compose(
                                                            fresh -> exchange(http, url, destination, proxy, fresh))
                                                    : Future.succeededFuture(answer))))
                    .onSuccess(answer -> finish(result(answer.status(),
                            answer.status() / 100 == 2 ? null : "http_" + answer.status(), answer.excerpt(),
                            answer.retryAfter())))
                    .onFailure(failure -> finish(failure instanceof Refused refused
                            ? AttemptResult.blocked(refused.getMessage())
                            : result(null, classify(failure), null, null)));
        }

        /**
         * The proxy of this attempt: the webhook's own, at the address Herald resolved and checked under the address
         * policy (a tenant's proxy must not open a way to internal networks); else the deployment's, which is the
         * operator's; else none (null).
         */
        private Future<ProxyOptions> proxy(EgressProxy own) {
            if (own == null) {
                return Future.succeededFuture(config.proxy().map(EgressProxy::options).orElse(null));
            }
            Promise<ProxyOptions> checked = Promise.promise();
            destinations.checkHost(own.host()).subscribe().with(
                    destination -> context.runOnContext(ignored -> {
                        if (destination.allowed()) {
                            checked.complete(own.at(destination.address().getHostAddress()).options());
                        } else {
                            checked.fail(new Refused("the webhook's proxy: " + destination.refusal()));
                        }
                    }),
                    failure -> context.runOnContext(ignored -> checked.fail(failure)));
            return checked.future();
        }

        /** The bearer token of the webhook's OAuth2 client; null when it has none. */
        private Future<OAuth2Tokens.Token> bearer(ReceiverAccess access, HttpClient http, ProxyOptions proxy,
                String rejected) {
            if (access.oauth2() == null) {
                return Future.succeededFuture();
            }
            Duration left = Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
            return tokens.token(outgoing.webhookId(), access.oauth2(), http, proxy, left, rejected, context);
        }

        private Future<Answer> exchange(HttpClient http, URI url, Destination destination, ProxyOptions proxy,
                OAuth2Tokens.Token token) {
            if (finished.get()) {
                return Future.failedFuture(new TimeoutException("attempt deadline passed"));
            }
            byte[] body = outgoing.body().getBytes(StandardCharsets.UTF_8);
            long timestamp = attemptedAt.getEpochSecond();
            int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
            RequestOptions options;
            try {
                options = new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setAbsoluteURI(outgoing.url())
                        // the checked address, never a second lookup (DNS rebinding); Host and SNI stay the URL's
                        .setServer(SocketAddress.inetSocketAddress(port, destination.address().getHostAddress()))
                        .setConnectTimeout(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000))
                        .setFollowRedirects(false)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.USER_AGENT, "Herald");
            } catch (RuntimeException unusable) {
                // e.g. a stored URL whose port is out of range
                return Future.failedFuture(new Refused("not a usable URL (" + unusable.getClass().getSimpleName()
                        + ")"));
            }
            // through a proxy: CONNECT to the checked address for https (EgressProxy)
            if (proxy != null) {
                options.setProxyOptions(proxy);
            }
            // the owner's headers (they may name another User-Agent), then Herald's own, which they never name
            outgoing.headers().forEach(header -> options.putHeader(header.name(), header.value()));
            if (token != null) {
                options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token.value());
            }
            if (outgoing.traceparent() != null) {
                options.putHeader("traceparent", outgoing.traceparent());
            }
            options.putHeader("webhook-id", outgoing.messageId())
                    .putHeader("webhook-timestamp", Long.toString(timestamp));
            outgoing.keys().headers(outgoing.messageId(), timestamp, body).forEach(options::putHeader);
            return http.request(options)
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
                    .compose(response -> CappedBody.read(response, MAX_ANSWER_READ)
                            .map(read -> Answer.of(response, read)));
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
                : failure instanceof NameNotResolved || failure instanceof OAuth2Tokens.TokenUnavailable
                        ? failure.getMessage()
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        // an exception's message may carry anything, NUL included, which PostgreSQL text cannot hold
        reason = reason.replace('\u0000', '\uFFFD');
        return "network: " + (reason.length() > 200 ? reason.substring(0, 200) : reason);
    }
}
