package dev.herald.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Bearer tokens of webhooks' OAuth2 clients ({@link OAuth2Client}): asked of the token endpoint with the client
 * credentials grant, under the address policy as a webhook URL is (resolved and checked, then reached at the checked
 * address, through the webhook's proxy when it has one), and cached per webhook and client until shortly before they
 * expire. Attempts that need a token while it is being fetched wait for that one fetch.
 */
@ApplicationScoped
public class OAuth2Tokens {

    /** A token endpoint's answer read at most this far. */
    static final int MAX_ANSWER_READ = 64 * 1024;
    /** The lifetime of a token whose answer names none (expires_in is only recommended by RFC 6749). */
    static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(5);
    /** Tokens kept at most, one per webhook; beyond, the cache starts again (each then fetches its token once more). */
    static final int CACHED = 10_000;
    /** The longest token taken: a token is a header on every attempt. */
    static final int MAX_TOKEN_LENGTH = 4096;
    /** The longest a token is kept, whatever its expires_in says. */
    static final Duration LONGEST_LIFETIME = Duration.ofHours(24);

    @Inject
    DestinationCheck destinations;

    @Inject
    Vertx vertx;

    /** Per webhook: the client a token was asked for, and the token (or its fetch). */
    private final Map<Long, Cached> tokens = new ConcurrentHashMap<>();

    private record Cached(OAuth2Client client, Future<Token> token) {
    }

    /**
     * A token; {@code fetched} says whether it was asked for by this call (not taken from the cache).
     */
    public record Token(String value, long renewAtNanos, boolean fetched) {

        Token cached() {
            return new Token(value, renewAtNanos, false);
        }
    }

    /** Why no token could be had: the attempt fails as a network failure and is retried. */
    static final class TokenUnavailable extends RuntimeException {

        TokenUnavailable(String reason) {
            super("OAuth2 token: " + reason, null, false, false);
        }
    }

    /**
     * The webhook's token: the cached one while it is fresh, else a new one. {@code rejected}: a token the receiver
     * answered 401 to, which is not used again (null: none), unless another attempt already replaced it.
     */
    Future<Token> token(long webhookId, OAuth2Client client, HttpClient http, ProxyOptions proxy, Duration timeout,
            String rejected, Context context) {
        if (tokens.size() > CACHED) {
            tokens.clear();
        }
        Promise<Token> mine = Promise.promise();
        Cached fresh = new Cached(client, mine.future());
        Cached current = tokens.compute(webhookId, (k, known) -> known != null && known.client().equals(client)
                && usable(known.token(), rejected) ? known : fresh);
        Future<Token> answer;
        if (current != fresh) {
            answer = current.token().map(Token::cached);
        } else {
            fetch(client, http, proxy, timeout, context).onComplete(mine);
            // a failure is not cached: the next attempt asks again
            mine.future().onFailure(failed -> tokens.remove(webhookId, fresh));
            answer = mine.future();
        }
        // the attempt goes on on its own event loop, whichever attempt's fetch completed the token
        Promise<Token> onContext = Promise.promise();
        answer.onComplete(result -> context.runOnContext(ignored -> onContext.handle(result)));
        return onContext.future();
    }

    private static boolean usable(Future<Token> known, String rejected) {
        if (known.failed()) {
            return false;
        }
        if (!known.isComplete()) {
            return true; // being fetched: wait for it
        }
        Token token = known.result();
        return System.nanoTime() - token.renewAtNanos() < 0 && !token.value().equals(rejected);
    }

    private Future<Token> fetch(OAuth2Client client, HttpClient http, ProxyOptions proxy, Duration timeout,
            Context context) {
        URI url;
        try {
            url = new URI(client.tokenUrl());
        } catch (URISyntaxException e) {
            return Future.failedFuture(new TokenUnavailable("the token URL is not a URL"));
        }
        Promise<Destination> checked = Promise.promise();
        destinations.check(url).subscribe().with(
                destination -> context.runOnContext(ignored -> checked.complete(destination)),
                failure -> context.runOnContext(ignored -> checked.fail(failure)));
        return checked.future().compose(destination -> {
            if (!destination.allowed()) {
                return Future.failedFuture(new Refused("the OAuth2 token URL: " + destination.refusal()));
            }
            return request(client, url, destination, http, proxy, timeout);
        });
    }

    private Future<Token> request(OAuth2Client client, URI url, Destination destination, HttpClient http,
            ProxyOptions proxy, Duration timeout) {
        int port = url.getPort() != -1 ? url.getPort() : "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        String credentials = URLEncoder.encode(client.clientId(), StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(client.clientSecret(), StandardCharsets.UTF_8);
        String form = "grant_type=client_credentials" + (client.scope() == null ? ""
                : "&scope=" + URLEncoder.encode(client.scope(), StandardCharsets.UTF_8));
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(client.tokenUrl())
                .setServer(SocketAddress.inetSocketAddress(port, destination.address().getHostAddress()))
                .setTimeout(timeout.toMillis())
                .setFollowRedirects(false)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded")
                .putHeader(HttpHeaders.ACCEPT, "application/json")
                .putHeader(HttpHeaders.USER_AGENT, "Herald")
                .putHeader(HttpHeaders.AUTHORIZATION, "Basic "
                        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        if (proxy != null) {
            options.setProxyOptions(proxy);
        }
        long askedNanos = System.nanoTime();
        try {
            // one absolute deadline for the whole exchange (the client's timeouts only bound each wait): a token
            // endpoint that drips its answer is cut off with the attempt that asked
            java.util.concurrent.atomic.AtomicReference<io.vertx.core.http.HttpClientRequest> sent =
                    new java.util.concurrent.atomic.AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
            long deadline = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
                expired.set(true);
                var request = sent.get();
                if (request != null) {
                    request.reset(0, new java.util.concurrent.TimeoutException("OAuth2 token request deadline"));
                }
            });
            return http.request(options)
                    .compose(request -> {
                        sent.set(request);
                        return request.send(Buffer.buffer(form));
                    })
                    .compose(response -> CappedBody.read(response, MAX_ANSWER_READ).map(body -> {
                        if (body.length() >= MAX_ANSWER_READ) {
                            throw new TokenUnavailable("the token endpoint's answer is " + MAX_ANSWER_READ
                                    + " bytes or more");
                        }
                        return new Answer(response.statusCode(), body.toString(StandardCharsets.UTF_8));
                    }))
                    .map(answer -> token(answer, askedNanos))
                    .<Token>transform(result -> result.succeeded() ? Future.succeededFuture(result.result())
                            : Future.failedFuture(expired.get()
                                    ? new java.util.concurrent.TimeoutException("OAuth2 token request deadline")
                                    : result.cause()))
                    .onComplete(done -> vertx.cancelTimer(deadline));
        } catch (RuntimeException unusable) {
            return Future.failedFuture(new TokenUnavailable("the token URL is not usable ("
                    + unusable.getClass().getSimpleName() + ")"));
        }
    }

    private record Answer(int status, String body) {
    }

    /** The token of a 200 answer (RFC 6749, section 5.1); anything else says why there is none. */
    static Token token(Answer answer, long askedNanos) {
        if (answer.status() != 200) {
            throw new TokenUnavailable("the token endpoint answered " + answer.status() + ": " + excerpt(answer.body()));
        }
        JsonObject json;
        try {
            json = new JsonObject(answer.body());
        } catch (RuntimeException notJson) {
            throw new TokenUnavailable("the token endpoint's answer is not a JSON object");
        }
        Object value = json.getValue("access_token");
        if (!(value instanceof String accessToken) || accessToken.isEmpty()) {
            throw new TokenUnavailable("the token endpoint's answer has no access_token");
        }
        if (accessToken.length() > MAX_TOKEN_LENGTH || !accessToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new TokenUnavailable("the access_token is not a header value of at most " + MAX_TOKEN_LENGTH
                    + " visible ASCII characters");
        }
        Object type = json.getValue("token_type");
        if (type != null && !"bearer".equalsIgnoreCase(type.toString())) {
            throw new TokenUnavailable("the token endpoint gave a token of type " + excerpt(type.toString())
                    + ", not Bearer");
        }
        Object expiresIn = json.getValue("expires_in");
        Duration lifetime = expiresIn instanceof Number seconds && seconds.longValue() > 0
                ? Duration.ofSeconds(Math.min(seconds.longValue(), LONGEST_LIFETIME.toSeconds())) : UNSTATED_LIFETIME;
        // renewed a little before it expires: by a tenth of its life, at most 30 s, so that none goes out stale
        Duration early = lifetime.dividedBy(10).compareTo(Duration.ofSeconds(30)) < 0 ? lifetime.dividedBy(10)
                : Duration.ofSeconds(30);
        return new Token(accessToken, askedNanos + lifetime.minus(early).toNanos(), true);
    }

    private static String excerpt(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
