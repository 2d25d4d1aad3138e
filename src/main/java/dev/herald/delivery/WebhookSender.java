package dev.herald.delivery;

import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
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
 * POSTs one attempt with the Vert.x HTTP client: the destination checked first ({@link DestinationCheck}) and
 * the connection made to that checked address only; signed afresh; keep-alive connections pooled per origin;
 * redirects never followed; at most {@link #MAX_ANSWER_READ} bytes of an answer read. The absolute deadline
 * comes from the caller's guard ({@link EndpointGuards}); cancelling the returned Uni resets the request.
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
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(60)
                .setConnectTimeout((int) Math.min(config.timeout().toMillis(), 10_000))
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
        Instant startedAt = Instant.now();
        URI url;
        try {
            url = new URI(outgoing.url());
        } catch (URISyntaxException e) {
            return Uni.createFrom().item(AttemptResult.blocked(startedAt, "not a URL"));
        }
        int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        return destinations.check(url).chain(destination -> destination.allowed()
                ? Uni.createFrom().<AttemptResult> emitter(
                        emitter -> new Attempt(outgoing, destination.address().getHostAddress(), port, emitter).start())
                : Uni.createFrom().item(AttemptResult.blocked(startedAt, destination.refusal())));
    }

    /** The state of one attempt between the callbacks of the Vert.x client. */
    private final class Attempt {

        private final OutgoingRequest outgoing;
        /** The checked address and the URL's port: the only place this attempt connects to. */
        private final String address;
        private final int port;
        private final UniEmitter<? super AttemptResult> emitter;
        private final Instant attemptedAt = Instant.now();
        private final long startedNanos = System.nanoTime();
        private final AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        private final AtomicBoolean finished = new AtomicBoolean();

        Attempt(OutgoingRequest outgoing, String address, int port, UniEmitter<? super AttemptResult> emitter) {
            this.outgoing = outgoing;
            this.address = address;
            this.port = port;
            this.emitter = emitter;
        }

        void start() {
            emitter.onTermination(this::abortIfUnfinished);
            byte[] body = outgoing.body().getBytes(StandardCharsets.UTF_8);
            long timestamp = attemptedAt.getEpochSecond();
            RequestOptions options;
            try {
                options = new RequestOptions()
                        .setMethod(HttpMethod.POST)
                        .setAbsoluteURI(outgoing.url())
                        // the checked address, never a second lookup (DNS rebinding); Host and SNI stay the URL's
                        .setServer(SocketAddress.inetSocketAddress(port, address))
                        .setFollowRedirects(false)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.USER_AGENT, "Herald")
                        .putHeader("webhook-id", outgoing.messageId())
                        .putHeader("webhook-timestamp", Long.toString(timestamp));
                outgoing.keys().headers(outgoing.messageId(), timestamp, body).forEach(options::putHeader);
            } catch (RuntimeException badUrl) {
                finish(null, "network: " + badUrl.getMessage(), null, null);
                return;
            }
            client.request(options)
                    .compose(req -> {
                        request.set(req);
                        return req.send(Buffer.buffer(body));
                    })
                    .compose(this::readCapped)
                    .onSuccess(answer -> finish(answer.status(), answer.status() / 100 == 2 ? null : "http_" + answer.status(),
                            answer.excerpt(), answer.retryAfter()))
                    .onFailure(failure -> finish(null, classify(failure), null, null));
        }

        private io.vertx.core.Future<Answer> readCapped(HttpClientResponse response) {
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

        private void finish(Integer status, String error, String excerpt, Duration retryAfter) {
            if (finished.compareAndSet(false, true)) {
                int durationMs = (int) ((System.nanoTime() - startedNanos) / 1_000_000);
                emitter.complete(new AttemptResult(attemptedAt, durationMs, status, error, excerpt, retryAfter));
            }
        }

        private void abortIfUnfinished() {
            if (finished.compareAndSet(false, true)) {
                HttpClientRequest req = request.get();
                if (req != null) {
                    req.reset(0, new TimeoutException("attempt deadline passed"));
                }
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
        if (failure instanceof TimeoutException || failure instanceof io.netty.handler.timeout.TimeoutException) {
            return "timeout";
        }
        String reason = failure instanceof ConnectException ? "connection refused"
                : failure instanceof UnknownHostException ? "unknown host"
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        // an exception's message may carry anything, NUL included, which PostgreSQL text cannot hold
        reason = reason.replace('\u0000', '\uFFFD');
        return "network: " + (reason.length() > 200 ? reason.substring(0, 200) : reason);
    }
}
