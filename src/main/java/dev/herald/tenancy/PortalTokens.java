package dev.herald.tenancy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Forbidden;
import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.api.Durations;
import dev.herald.quota.QuotaConfig;
import dev.herald.quota.QuotaExceeded;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Portal tokens ({@code hp_...}): minted by an application for its own customers (or by the admin for any
 * application), scoped to the application, one provider or one webhook, to read or to manage, for at most
 * {@link #LONGEST}. Stored as a SHA-256 hash like API keys; {@link CallerResolver} reads them. A portal token
 * cannot mint another: minting needs an application's API key or the admin key.
 */
@ApplicationScoped
public class PortalTokens {

    public static final String PREFIX = "hp_";
    static final Duration SHORTEST = Duration.ofMinutes(1);
    static final Duration LONGEST = Duration.ofHours(24);

    /* $1 application, $2 provider or null, $3 webhook or null: what a token would name, if it is the application's */
    private static final String NAMED = """
            SELECT (SELECT p.id FROM provider p WHERE p.id = $2 AND p.application_id = $1 AND NOT p.operational)
                       AS provider_id,
                   (SELECT w.provider_id FROM webhook w JOIN provider p ON p.id = w.provider_id
                     WHERE w.id = $3 AND p.application_id = $1) AS webhook_provider_id,
                   EXISTS (SELECT 1 FROM application a WHERE a.id = $1) AS application_exists""";

    /* $1 hash, $2 application, $3 provider, $4 webhook, $5 access, $6 lifetime in ms */
    private static final String INSERT = """
            INSERT INTO portal_token (token_hash, application_id, provider_id, webhook_id, access, expires_at)
            VALUES ($1, $2, $3, $4, $5, clock_timestamp() + $6 * interval '1 millisecond')
            RETURNING id, expires_at""";

    /* $1 token id, $2 application or null (the admin): ends it now */
    private static final String REVOKE = """
            DELETE FROM portal_token WHERE id = $1 AND ($2::int IS NULL OR application_id = $2) RETURNING id""";

    /* $1 application, $2 the last id of the page before (0 for the first), $3 the page's size: its tokens still in
       force, in the order they were minted */
    private static final String LIVE = """
            SELECT id, provider_id, webhook_id, access, expires_at FROM portal_token
             WHERE application_id = $1 AND expires_at > clock_timestamp() AND id > $2
             ORDER BY id LIMIT $3""";

    /* $1 application: whether it exists (the admin may name any) */
    private static final String EXISTS = "SELECT EXISTS (SELECT 1 FROM application WHERE id = $1)";

    /* $1 application, $2 the default quota: the application's quota of tokens in force, its row locked so that
       concurrent mintings count each other */
    private static final String LOCK_APPLICATION = """
            SELECT coalesce(a.max_portal_tokens, $2) FROM application a WHERE a.id = $1 FOR NO KEY UPDATE""";

    /* $1 application: its tokens in force */
    private static final String COUNT = """
            SELECT count(*) FROM portal_token WHERE application_id = $1 AND expires_at > clock_timestamp()""";

    /* the application's expired tokens go when it mints another, so that the table holds about what is in use; a row
       another transaction holds (its webhook being deleted) is left to that transaction or the next minting */
    private static final String FORGET_EXPIRED = """
            DELETE FROM portal_token WHERE id IN (SELECT id FROM portal_token
             WHERE application_id = $1 AND expires_at < clock_timestamp() FOR UPDATE SKIP LOCKED)""";

    @Inject
    Pool pool;

    @Inject
    QuotaConfig quotas;

    /** What {@link #mint} answers: its id (to revoke it), the token (shown here only) and what it names. */
    public record Minted(long id, String token, PortalScope scope) {
    }

    /**
     * A new token. {@code applicationId}: the admin names any application; an application's key may leave it out or
     * name its own. {@code webhookId} (optional) must be the application's, and its provider's when
     * {@code providerId} is given too.
     */
    public Uni<Minted> mint(Caller caller, Integer applicationId, Integer providerId, String rawWebhookId,
            PortalAccess access, String ttl) {
        int application = application(caller, applicationId);
        Long webhookId = Ids.parseOptional("webhookId", rawWebhookId);
        if (access == null) {
            throw new InvalidInput("access", "must be READ or MANAGE");
        }
        Duration lifetime = Durations.parse("ttl", ttl);
        if (lifetime.compareTo(SHORTEST) < 0 || lifetime.compareTo(LONGEST) > 0) {
            throw new InvalidInput("ttl", "must be from 1m to 24h (got " + ttl + ")");
        }
        return pool.preparedQuery(NAMED).execute(Tuple.of(application, providerId, webhookId))
                .map(rows -> scopeOf(rows.iterator().next(), application, providerId, webhookId, access))
                .chain(scope -> {
                    String token = ApiKeys.generate(PREFIX);
                    return pool.withTransaction(connection -> connection.preparedQuery(LOCK_APPLICATION)
                            .execute(Tuple.of(application, quotas.tenancy().maxPortalTokensPerApplication()))
                            .map(rows -> quotaOf(rows, application))
                            .call(() -> connection.preparedQuery(FORGET_EXPIRED).execute(Tuple.of(application)))
                            .call(quota -> connection.preparedQuery(COUNT).execute(Tuple.of(application))
                                    .invoke(rows -> refuseOverQuota(rows.iterator().next().getLong(0), quota)))
                            .chain(() -> connection.preparedQuery(INSERT).execute(Tuple.from(new Object[] {
                                    ApiKeys.hash(token), application, scope.providerId(), scope.webhookId(),
                                    (short) access.code(), lifetime.toMillis() }))))
                            .map(rows -> rows.iterator().next())
                            .map(row -> new Minted(row.getLong("id"), token, new PortalScope(application,
                                    scope.providerId(), scope.webhookId(), access,
                                    row.getOffsetDateTime("expires_at").toInstant())));
                });
    }

    /**
     * Ends a token at once: an application's own (its key), or any (the admin key). A token of another application
     * answers as a missing one.
     */
    public Uni<Boolean> revoke(Caller caller, String rawId) {
        long id = Ids.parse("id", rawId);
        Integer application = caller.admin() ? null : caller.requireApplication();
        return pool.preparedQuery(REVOKE).execute(Tuple.of(id, application)).map(rows -> {
            if (rows.size() == 0) {
                throw new NotFound("id", "portal token", id);
            }
            return Boolean.TRUE;
        });
    }

    /** What a token names, with its id. */
    public record Listed(long id, PortalScope scope) {
    }

    /**
     * A page of an application's tokens still in force, in the order they were minted, after the token
     * {@code rawAfter} (null: from the first): never the tokens themselves (only their hashes are kept), so that it
     * can see what it handed out and revoke by id. {@code applicationId} as for {@link #mint}.
     */
    public Uni<List<Listed>> live(Caller caller, Integer applicationId, int limit, String rawAfter) {
        int application = application(caller, applicationId);
        Long after = Ids.parseOptional("after", rawAfter);
        Uni<Void> known = !caller.admin() ? Uni.createFrom().voidItem()
                : pool.preparedQuery(EXISTS).execute(Tuple.of(application)).invoke(rows -> {
                    if (!rows.iterator().next().getBoolean(0)) {
                        throw new InvalidInput("applicationId", "there is no application " + application);
                    }
                }).replaceWithVoid();
        return known.chain(() -> pool.preparedQuery(LIVE).execute(Tuple.of(application, after == null ? 0L : after,
                limit))).map(rows -> {
            List<Listed> listed = new ArrayList<>(rows.size());
            for (Row row : rows) {
                listed.add(new Listed(row.getLong("id"), new PortalScope(application, row.getInteger("provider_id"),
                        row.getLong("webhook_id"), PortalAccess.of(row.getInteger("access")),
                        row.getOffsetDateTime("expires_at").toInstant())));
            }
            return listed;
        });
    }

    private static int quotaOf(RowSet<Row> locked, int application) {
        if (locked.size() == 0) { // deleted since its scope was checked
            throw new InvalidInput("applicationId", "there is no application " + application);
        }
        return locked.iterator().next().getInteger(0);
    }

    private static void refuseOverQuota(long inForce, int quota) {
        if (inForce >= quota) {
            throw new QuotaExceeded("the application has " + inForce + " portal tokens in force, its quota"
                    + " (herald.tenancy.max-portal-tokens-per-application, or the admin's setApplicationLimits);"
                    + " revoke one (portalTokens lists them) or let one expire first");
        }
    }

    private static int application(Caller caller, Integer applicationId) {
        if (caller.admin()) {
            if (applicationId == null) {
                throw new InvalidInput("applicationId", "the admin key must name the application");
            }
            return applicationId;
        }
        int own = caller.requireApplication();
        if (applicationId != null && applicationId != own) {
            throw new Forbidden("an application mints and lists portal tokens for itself only");
        }
        return own;
    }

    private static PortalScope scopeOf(Row named, int application, Integer providerId, Long webhookId,
            PortalAccess access) {
        if (!named.getBoolean("application_exists")) {
            throw new InvalidInput("applicationId", "there is no application " + application);
        }
        if (providerId != null && named.getInteger("provider_id") == null) {
            throw new NotFound("providerId", "provider", providerId);
        }
        Integer webhookProvider = named.getInteger("webhook_provider_id");
        if (webhookId != null && webhookProvider == null) {
            throw new NotFound("webhookId", "webhook", webhookId);
        }
        if (webhookId != null && providerId != null && !providerId.equals(webhookProvider)) {
            throw new InvalidInput("webhookId", "must be a webhook of provider " + providerId);
        }
        // a webhook's token is its provider's too: the console shows that provider
        return new PortalScope(application, webhookId != null ? webhookProvider : providerId, webhookId, access,
                Instant.EPOCH);
    }
}
