package dev.herald.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Unauthorized;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Authenticates a request by {@code x-api-key: K} or {@code Authorization: Bearer K}. Clients often send both;
 * they must then carry the same key. A client address that keeps presenting unknown keys is refused for the rest of
 * the minute ({@link FailedAuthentications}). GraphQL requests are authenticated once, in front of GraphQL
 * ({@code GraphQLLimits}), and their resolvers read the caller found there.
 */
@ApplicationScoped
public class CallerResolver {

    /** Where the caller of a request is kept once authenticated (a routing-context key). */
    public static final String CALLER = "herald.caller";
    private static final String BEARER = "Bearer ";

    @Inject
    TenancyConfig config;

    @Inject
    CurrentVertxRequest currentRequest;

    @Inject
    Pool pool;

    private FailedAuthentications failures;
    private final RecentCallers recent = new RecentCallers(System::currentTimeMillis);

    @PostConstruct
    void createThrottle() {
        failures = new FailedAuthentications(config.tenancy().maxFailedAuthenticationsPerMinute(),
                System::currentTimeMillis);
    }

    /** The caller of the GraphQL request being served. */
    public Uni<Caller> current() {
        RoutingContext context = currentRequest.getCurrent();
        if (context.get(CALLER) instanceof Caller known) {
            return Uni.createFrom().item(known);
        }
        return of(context.request());
    }

    /** The caller of this HTTP request, by its headers and client address. */
    public Uni<Caller> of(HttpServerRequest request) {
        return resolve(request.getHeader("x-api-key"), request.getHeader("Authorization"), address(request));
    }

    /**
     * The caller of a request whose own work checks the key again (ingest's group statement: the key must still be
     * its application's): a key that authenticated on this replica lately passes without a look at the database.
     */
    public Uni<Caller> ofRecentlySeen(HttpServerRequest request) {
        return Uni.createFrom().item(() -> presentedKeyHash(request))
                .chain(hash -> {
                    Caller known = recent.get(hash);
                    return known != null ? Uni.createFrom().item(known) : of(request);
                });
    }

    /** The hash of the key this request presents (see {@link #of}); refused when it presents none, or two. */
    public static String presentedKeyHash(HttpServerRequest request) {
        return ApiKeys.hash(presentedKey(request.getHeader("x-api-key"), request.getHeader("Authorization")));
    }

    /**
     * The caller presenting these headers (either may be null) from this client address. From an address that keeps
     * presenting unknown keys, only a key that authenticated recently passes, without a look at the database.
     */
    public Uni<Caller> resolve(String apiKeyHeader, String authorization, String address) {
        return Uni.createFrom().item(() -> presentedKey(apiKeyHeader, authorization))
                .chain(key -> {
                    String hash = ApiKeys.hash(key);
                    if (failures.throttled(address)) {
                        Caller known = recent.get(hash);
                        if (known == null) {
                            failures.requireAllowed(address);
                        }
                        return Uni.createFrom().item(known);
                    }
                    if (key.startsWith(PortalTokens.PREFIX)) {
                        // never kept among the recent callers: a portal token ends at its expiry, to the second
                        return portal(hash, address);
                    }
                    return identify(hash, address).invoke(caller -> recent.put(hash, caller));
                });
    }

    static String presentedKey(String apiKeyHeader, String authorization) {
        String bearer = null;
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            bearer = authorization.substring(BEARER.length()).trim();
        }
        String apiKey = apiKeyHeader == null ? null : apiKeyHeader.trim();
        if (isBlank(apiKey) && isBlank(bearer)) {
            throw new Unauthorized("missing API key: send x-api-key: <key> or Authorization: Bearer <key>");
        }
        if (!isBlank(apiKey) && !isBlank(bearer) && !apiKey.equals(bearer)) {
            throw new Unauthorized("x-api-key and Authorization: Bearer carry different keys");
        }
        return isBlank(apiKey) ? bearer : apiKey;
    }

    private Uni<Caller> identify(String hash, String address) {
        if (isAdminKey(hash)) {
            return Uni.createFrom().item(Caller.administrator());
        }
        return pool.preparedQuery("SELECT application_id FROM api_key WHERE key_hash = $1")
                .execute(Tuple.of(hash))
                .map(rows -> {
                    if (rows.size() == 0) {
                        failures.failed(address);
                        throw new Unauthorized("unknown API key");
                    }
                    return Caller.application(rows.iterator().next().getInteger(0));
                });
    }

    private Uni<Caller> portal(String hash, String address) {
        return pool.preparedQuery("SELECT application_id, provider_id, webhook_id, access, expires_at FROM portal_token"
                + " WHERE token_hash = $1 AND expires_at > clock_timestamp()")
                .execute(Tuple.of(hash))
                .map(rows -> {
                    if (rows.size() == 0) {
                        failures.failed(address);
                        throw new Unauthorized("unknown or expired portal token");
                    }
                    Row row = rows.iterator().next();
                    return Caller.portal(new PortalScope(row.getInteger("application_id"), row.getInteger("provider_id"),
                            row.getLong("webhook_id"), PortalAccess.of(row.getInteger("access")),
                            row.getOffsetDateTime("expires_at").toInstant()));
                });
    }

    private boolean isAdminKey(String presentedHash) {
        // compare hashes in constant time so response timing says nothing about the admin key
        return config.adminKey()
                .filter(admin -> !admin.isBlank())
                .map(admin -> MessageDigest.isEqual(ApiKeys.hash(admin).getBytes(StandardCharsets.US_ASCII),
                        presentedHash.getBytes(StandardCharsets.US_ASCII)))
                .orElse(false);
    }

    /**
     * The RateLimit headers for a client that is not (yet) an application: its failed authentications this minute
     * (herald.tenancy.max-failed-authentications-per-minute).
     */
    public java.util.Map<String, String> failureLimitHeaders(HttpServerRequest request) {
        return failures.headers(address(request));
    }

    /** The client's address: the peer's, or the one a trusted proxy forwarded (quarkus.http.proxy.*). */
    static String address(HttpServerRequest request) {
        SocketAddress remote = request.remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
