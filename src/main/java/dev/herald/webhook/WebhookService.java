package dev.herald.webhook;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.api.Timestamps;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.eventtype.EventTypeNames;
import dev.herald.operational.CreateOperationalWebhookInput;
import dev.herald.operational.OperationalEventTypes;
import dev.herald.quota.QuotaConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Registration and upkeep of an application's webhooks. Every method checks ownership. Everything goes through
 * the raw pool, one statement or one short transaction each ({@link WebhookWrites}): changes meet the delivery path
 * and take its locks in its order, and fields GraphQL resolves at once must not share a Hibernate session.
 */
@ApplicationScoped
public class WebhookService {

    @Inject
    SecretCipher cipher;

    @Inject
    SigningConfig signing;

    @Inject
    WebhookUrlRules urlRules;

    @Inject
    WebhookWrites writes;

    @Inject
    StoredHeaders headers;

    @Inject
    StoredAccess storedAccess;

    @Inject
    AccessSettings accessSettings;

    @Inject
    DeliveryConfig delivery;

    @Inject
    QuotaConfig quotas;

    @Inject
    Pool pool;

    /* $1 webhook, $2 application */
    private static final String SECRET = """
            SELECT w.secret, CASE WHEN w.previous_secret_expires_at > clock_timestamp()
                                  THEN w.previous_secret_expires_at END AS previous_expires_at
              FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE w.id = $1 AND p.application_id = $2""";

    /* $1 application, $2 a provider or null, $3 after this id, $4 how many, $5 one webhook or null */
    private static final String LIST = "SELECT " + WebhookWrites.COLUMNS + " FROM webhook w JOIN provider p ON"
            + " p.id = w.provider_id WHERE p.application_id = $1 AND ($2::int IS NULL OR w.provider_id = $2)"
            + " AND ($5::bigint IS NULL OR w.id = $5) AND w.id > $3 ORDER BY w.id LIMIT $4";

    public Uni<WebhookView> register(int applicationId, CreateWebhookInput input) {
        String url = urlRules.check(input.webhookUrl);
        String legacyHeader = LegacyHeaderRules.check(input.legacySignatureHeader);
        WebhookSettings settings = WebhookSettings.of(input, legacyHeader, delivery, false);
        AccessSettings.Checked access = accessSettings.of(input);
        String secret = SigningSecrets.generate();
        return writes.register(applicationId, input.providerId, url,
                id -> cipher.encrypt(id, SecretCipher.Material.SIGNING, secret), legacyHeader, settings,
                id -> headers.seal(id, settings.headers()), id -> seal(id, access),
                new WebhookWrites.Subscription(false, EventTypeNames.checkSubscriptions("eventTypes", input.eventTypes)),
                Timestamps.now(), quotas.tenancy().maxWebhooksPerApplication())
                .map(row -> view(row, secret));
    }

    /**
     * A receiver for the application's operational events (db/functions/operational.sql) of the types it names: a
     * webhook on the application's operational provider, made with its first one. At most
     * {@value WebhookWrites#MAX_OPERATIONAL_WEBHOOKS} an application, within its quota of webhooks like any other.
     */
    public Uni<WebhookView> registerOperational(int applicationId, CreateOperationalWebhookInput input) {
        String url = urlRules.check(input.webhookUrl);
        String[] eventTypes = OperationalEventTypes.check("eventTypes", input.eventTypes);
        WebhookSettingsInput described = new WebhookSettingsInput() {
        };
        described.description = input.description;
        WebhookSettings settings = WebhookSettings.of(described, null, delivery, false);
        AccessSettings.Checked access = accessSettings.of(described);
        String secret = SigningSecrets.generate();
        return writes.register(applicationId, null, url,
                id -> cipher.encrypt(id, SecretCipher.Material.SIGNING, secret), null, settings,
                id -> headers.seal(id, settings.headers()), id -> seal(id, access),
                new WebhookWrites.Subscription(true, eventTypes), Timestamps.now(),
                quotas.tenancy().maxWebhooksPerApplication())
                .map(row -> view(row, secret));
    }

    /**
     * On the raw pool, one statement: GraphQL may resolve several fields of one request at once (aliases, or
     * {@code providers} beside {@code webhooks}), and a Hibernate Reactive session would be shared between them.
     */
    public Uni<List<WebhookView>> list(int applicationId, Integer providerId, Long onlyWebhook, int limit,
            long afterId) {
        return pool.preparedQuery(LIST).execute(Tuple.of(applicationId, providerId, afterId, limit, onlyWebhook))
                .map(rows -> {
                    List<WebhookView> views = new ArrayList<>();
                    rows.forEach(row -> views.add(view(row, null)));
                    return views;
                });
    }

    public Uni<WebhookView> update(int applicationId, UpdateWebhookInput input) {
        long id = Ids.parse("id", input.id);
        String url = input.webhookUrl == null ? null : urlRules.check(input.webhookUrl);
        boolean legacyGiven = input.legacySignatureHeader != null;
        String legacyHeader = LegacyHeaderRules.check(input.legacySignatureHeader);
        if (input.status != null && input.status != Webhook.ACTIVE && input.status != Webhook.INACTIVE) {
            throw new InvalidInput("status", "must be 1 (active) or 0 (inactive)");
        }
        WebhookSettings settings = WebhookSettings.of(input, legacyHeader, delivery, true);
        AccessSettings.Checked access = accessSettings.of(input);
        String[] eventTypes = EventTypeNames.checkSubscriptions("eventTypes", input.eventTypes);
        return writes.update(applicationId, id, url, input.status, legacyGiven, legacyHeader, settings,
                headers.seal(id, settings.headers()), access, seal(id, access), input.eventTypes != null, eventTypes,
                stored -> {
                    if (input.eventTypes != null && stored.getBoolean("operational")) {
                        OperationalEventTypes.check("eventTypes", input.eventTypes);
                    }
                    if (stored.getBoolean("operational")
                            && (settings.channelTypes() != null || settings.deliveryStatuses() != null)) {
                        // operational events carry neither: such a filter would silence the webhook
                        throw new InvalidInput(settings.channelTypes() != null ? "channelTypes" : "deliveryStatuses",
                                "an operational webhook takes no notification filter");
                    }
                    checkCombined(id, stored, legacyGiven, legacyHeader, settings);
                }, Timestamps.now())
                .map(row -> view(row, null));
    }

    private SealedAccess seal(long id, AccessSettings.Checked access) {
        return new SealedAccess(storedAccess.sealProxy(id, access.proxy()),
                storedAccess.sealCertificate(id, access.certificate()), storedAccess.sealOAuth2(id, access.oauth2()));
    }

    /** The legacy signature header and the headers the webhook will have must not name the same header. */
    private void checkCombined(long id, Row stored, boolean legacyGiven, String legacyHeader,
            WebhookSettings settings) {
        String legacy = legacyGiven ? legacyHeader : stored.getString("legacy_signature_header");
        if (legacy == null || (legacyGiven && settings.headersGiven())) {
            return; // nothing to collide with, or already checked together
        }
        try {
            HeaderRules.checkAgainstLegacy(settings.headersGiven() ? settings.headers()
                    : headers.open(id, stored.getString("headers")), legacy);
        } catch (UnreadableSecret unreadable) {
            // stored headers this replica cannot read are not sent either; they are shown as null
        }
    }

    public Uni<Boolean> delete(int applicationId, String rawId) {
        long id = Ids.parse("id", rawId);
        return writes.delete(applicationId, id).replaceWith(Boolean.TRUE);
    }

    /**
     * A new signing secret. The old one keeps signing next to it for {@code herald.signing.rotation-grace}
     * (counted by the database's clock, which the claims compare it with), so receivers can switch without
     * rejecting anything.
     */
    public Uni<WebhookSecretView> rotateSecret(int applicationId, String rawId) {
        long id = Ids.parse("webhookId", rawId);
        String secret = SigningSecrets.generate();
        return writes.rotateSecret(applicationId, id, cipher.encrypt(id, SecretCipher.Material.SIGNING, secret),
                signing.rotationGrace(), Timestamps.now())
                .map(expiresAt -> new WebhookSecretView(secret, expiresAt));
    }

    /**
     * The webhook's signing secret and, while it still signs, the previous one's end: for its owner only, asked for
     * by name (lists never carry secrets).
     */
    public Uni<WebhookSecretView> secret(int applicationId, String rawId) {
        long id = Ids.parse("webhookId", rawId);
        return pool.preparedQuery(SECRET).execute(Tuple.of(id, applicationId)).map(rows -> {
            if (rows.size() == 0) {
                throw new NotFound("webhookId", "webhook", id);
            }
            Row row = rows.iterator().next();
            var expires = row.getOffsetDateTime("previous_expires_at");
            try {
                return new WebhookSecretView(cipher.decrypt(id, SecretCipher.Material.SIGNING, row.getString("secret")),
                        expires == null ? null : expires.toInstant());
            } catch (UnreadableSecret unreadable) {
                throw new SecretUnavailable(unreadable.getMessage());
            }
        });
    }

    /**
     * The webhook as its owner sees it: its headers and receiver access decrypted (null when unreadable), a secret
     * only when given.
     */
    private WebhookView view(Row row, String secret) {
        List<WebhookHeader> shown;
        try {
            shown = headers.open(row.getLong("id"), row.getString("headers")).stream()
                    .map(header -> new WebhookHeader(header.name(), header.value())).toList();
        } catch (UnreadableSecret unreadable) {
            shown = null;
        }
        ReceiverAccessView access;
        try {
            access = ReceiverAccessView.of(storedAccess.open(row.getLong("id"), SealedAccess.of(row)));
        } catch (UnreadableSecret unreadable) {
            access = null;
        }
        return WebhookView.of(row, secret, shown, access);
    }
}
