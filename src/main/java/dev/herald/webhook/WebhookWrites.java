package dev.herald.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.NotFound;
import dev.herald.quota.QuotaExceeded;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The webhook changes that meet the delivery path, on the raw pool rather than Hibernate Reactive: each locks the
 * webhook's endpoint row first, the lock order every writer keeps (claims, completions, the reaper), so changing or
 * deleting webhooks while their deliveries complete never deadlocks; and a webhook switched on is woken by the one
 * wake rule ({@code herald_wake_endpoints}). Hibernate Reactive's entity delete is also unsafe when several
 * sessions delete at once (hibernate-reactive#1713: HR000069 and transactions left open). Every statement checks
 * that the webhook belongs to the application; another application's webhook answers as a missing one.
 */
@ApplicationScoped
class WebhookWrites {

    private static final String LOCK_ENDPOINT = "SELECT 1 FROM endpoint_state WHERE webhook_id = $1 FOR UPDATE";

    /*
     * $1 webhook, $2 its new URL (null: it is deleted): the receiver it leaves and the one its new URL names become
     * shared as they need to (receivers.sql), taking the endpoint rows of their webhooks and of this one in id
     * order, before this one's is locked alone
     */
    private static final String SHARE_RECEIVERS = """
            SELECT herald_share_receivers(w.id, CASE WHEN $2::text IS NOT NULL
                                                     THEN herald_receiver(herald_receiver_key($2)) END, w.receiver_id)
              FROM webhook w WHERE w.id = $1""";

    /* $1 webhook, $2 application: read without locking anything, before anything is locked */
    private static final String OWNED = """
            SELECT 1 FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE w.id = $1 AND p.application_id = $2""";

    static final String COLUMNS = "w.id, w.provider_id, w.webhook_url, w.status, w.secret,"
            + " w.legacy_signature_header, w.created_on, w.updated_on, w.description, w.channel_types,"
            + " w.delivery_statuses, w.headers, w.max_in_flight, w.max_per_minute, w.disabled_reason,"
            + " w.retry_schedule_ms, w.retry_jitter, w.timeout_ms, w.proxy, w.client_certificate, w.oauth2,"
            + " w.event_types, w.ordering, EXISTS (SELECT 1 FROM provider o WHERE o.id = w.provider_id AND o.operational)"
            + " AS operational";

    /* $1 provider, $2 application, $3 URL, $4 secret (encrypted), $5 legacy header, $6 now, $7-$12 settings, $13 id,
       $14-$16 retries and timeout, $17-$19 receiver access (sealed), $20 event types, $21 ordering */
    private static final String REGISTER = """
            INSERT INTO webhook AS w (id, provider_id, webhook_url, status, secret, legacy_signature_header, created_on,
                                      updated_on, description, channel_types, delivery_statuses, headers,
                                      max_in_flight, max_per_minute, retry_schedule_ms, retry_jitter, timeout_ms,
                                      proxy, client_certificate, oauth2, event_types, ordering)
            SELECT $13, p.id, $3, 1, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $14::int[], $15::real, $16::int, $17,
                   $18, $19, $20::text[], $21
              FROM provider p WHERE p.id = $1 AND p.application_id = $2
            RETURNING\s""" + COLUMNS;

    /* $1 webhook, $2 application: the new webhook's endpoint row, which claims find by its application */
    private static final String NEW_ENDPOINT = "INSERT INTO endpoint_state (webhook_id, application_id) VALUES ($1, $2)";

    /* the id a new webhook will have: its secret and headers are sealed for it before it is stored */
    private static final String NEXT_ID = "SELECT nextval(pg_get_serial_sequence('webhook', 'id'))";

    /* $1 provider, $2 application, $3 the default quota, $4 whether the provider is the operational one: the
       application's quota of webhooks, its row locked */
    private static final String LOCK_APPLICATION_OF_PROVIDER = """
            SELECT coalesce(a.max_webhooks, $3) FROM application a JOIN provider p ON p.application_id = a.id
             WHERE p.id = $1 AND a.id = $2 AND p.operational = $4
               FOR NO KEY UPDATE OF a""";

    /* $1 application: its operational provider (operational.sql), made with its first operational webhook. The
       conflict's update answers the row another registration made meanwhile. */
    private static final String OPERATIONAL_PROVIDER = """
            INSERT INTO provider AS p (application_id, name, channel_type, operational)
            SELECT a.id, 'Herald operational events', 0, true FROM application a WHERE a.id = $1
                ON CONFLICT (application_id) WHERE operational DO UPDATE SET updated_on = p.updated_on
            RETURNING p.id""";

    /* each operational event goes to every operational webhook of its type: few, so that one failing delivery never
       becomes many */
    static final int MAX_OPERATIONAL_WEBHOOKS = 5;

    private static final String COUNT_ON_PROVIDER = "SELECT count(*) FROM webhook WHERE provider_id = $1";

    private static final String COUNT_WEBHOOKS = """
            SELECT count(*) FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE p.application_id = $1""";

    /* $1 webhook, $2 application: what an update checks its settings against */
    private static final String STORED = """
            SELECT w.status, w.legacy_signature_header, w.headers, p.operational
              FROM webhook w JOIN provider p ON p.id = w.provider_id
             WHERE w.id = $1 AND p.application_id = $2
               FOR NO KEY UPDATE OF w""";

    /* $1 webhook, $2 application, $3 URL, $4 status, $5 set the legacy header?, $6 legacy header, $7 now,
       $8-$35 each setting: given?, value */
    private static final String UPDATE = """
            UPDATE webhook w
               SET webhook_url = coalesce($3, w.webhook_url),
                   status = coalesce($4, w.status),
                   -- switched on by its owner: why Herald switched it off no longer holds
                   disabled_reason = CASE WHEN $4 = 1 THEN NULL ELSE w.disabled_reason END,
                   legacy_signature_header = CASE WHEN $5 THEN $6 ELSE w.legacy_signature_header END,
                   updated_on = $7,
                   description = CASE WHEN $8 THEN $9 ELSE w.description END,
                   channel_types = CASE WHEN $10 THEN $11::int[] ELSE w.channel_types END,
                   delivery_statuses = CASE WHEN $12 THEN $13::int[] ELSE w.delivery_statuses END,
                   headers = CASE WHEN $14 THEN $15 ELSE w.headers END,
                   max_in_flight = CASE WHEN $16 THEN $17::int ELSE w.max_in_flight END,
                   max_per_minute = CASE WHEN $18 THEN $19::int ELSE w.max_per_minute END,
                   retry_schedule_ms = CASE WHEN $20 THEN $21::int[] ELSE w.retry_schedule_ms END,
                   retry_jitter = CASE WHEN $22 THEN $23::real ELSE w.retry_jitter END,
                   timeout_ms = CASE WHEN $24 THEN $25::int ELSE w.timeout_ms END,
                   proxy = CASE WHEN $26 THEN $27 ELSE w.proxy END,
                   client_certificate = CASE WHEN $28 THEN $29 ELSE w.client_certificate END,
                   oauth2 = CASE WHEN $30 THEN $31 ELSE w.oauth2 END,
                   event_types = CASE WHEN $32 THEN $33::text[] ELSE w.event_types END,
                   ordering = CASE WHEN $34 THEN $35::smallint ELSE w.ordering END
              FROM provider p
             WHERE w.id = $1 AND p.id = w.provider_id AND p.application_id = $2
            RETURNING\s""" + COLUMNS;

    /* a webhook switched on (from off) starts a new run of failures for auto-disable to count */
    private static final String RESTART_FAILURE_RUN = "SELECT herald_restart_failure_run($1)";

    private static final String UNORDER = "UPDATE delivery SET ordering_key = NULL"
            + " WHERE webhook_id = $1 AND ordering_key IS NOT NULL";

    /* the deliveries waiting when a webhook is switched to BY_NOTIFICATION take their places too */
    private static final String ORDER = """
            UPDATE delivery d SET ordering_key = herald_ordering_key(e.payload)
              FROM event e
             WHERE d.webhook_id = $1 AND d.ordering_key IS NULL
               AND e.id = d.event_id AND e.accepted_at = d.event_accepted_at""";

    private static final String WAKE = "SELECT herald_wake_endpoints(ARRAY[$1::bigint], ARRAY[clock_timestamp()])";

    /* its attempts in flight give their slots back at their receivers, which other webhooks share */
    private static final String RELEASE_IN_FLIGHT = "SELECT herald_release_webhook_in_flight($1)";

    private static final String DELETE = """
            DELETE FROM webhook w USING provider p
             WHERE w.id = $1 AND p.id = w.provider_id AND p.application_id = $2
            RETURNING w.id""";

    /* $1 webhook, $2 application, $3 new secret (encrypted), $4 grace in ms, $5 now */
    private static final String ROTATE = """
            UPDATE webhook w
               SET previous_secret = w.secret,
                   previous_secret_expires_at = clock_timestamp() + $4 * interval '1 millisecond',
                   secret = $3,
                   updated_on = $5
              FROM provider p
             WHERE w.id = $1 AND p.id = w.provider_id AND p.application_id = $2
            RETURNING w.previous_secret_expires_at""";

    @Inject
    Pool pool;

    /**
     * A new webhook on one of the application's providers, within its quota of webhooks (its own figure, or
     * {@code defaultQuota}). The application's row is locked first, so that registrations racing each other count
     * one another; the count runs after the lock, in a snapshot that sees every webhook committed before it. Its
     * endpoint row is made with it, carrying its application for fair claims.
     */
    Uni<Row> register(int applicationId, Integer givenProvider, String url, LongFunction<String> secretFor,
            String legacyHeader, WebhookSettings settings, LongFunction<String> headersFor,
            LongFunction<SealedAccess> accessFor, Subscription subscription, Instant now, int defaultQuota) {
        return pool.withTransaction(connection -> (subscription.operational()
                ? operationalProvider(connection, applicationId) : Uni.createFrom().item(givenProvider))
                .chain(providerId -> register(connection, applicationId, providerId, url, secretFor, legacyHeader,
                        settings, headersFor, accessFor, subscription, now, defaultQuota)));
    }

    private Uni<Row> register(SqlConnection connection, int applicationId, int providerId, String url,
            LongFunction<String> secretFor, String legacyHeader, WebhookSettings settings,
            LongFunction<String> headersFor, LongFunction<SealedAccess> accessFor, Subscription subscription,
            Instant now, int defaultQuota) {
        return connection.preparedQuery(LOCK_APPLICATION_OF_PROVIDER)
                .execute(Tuple.of(providerId, applicationId, defaultQuota, subscription.operational()))
                .map(rows -> only(rows, "providerId", "provider", providerId).getInteger(0))
                .call(() -> !subscription.operational() ? Uni.createFrom().voidItem()
                        : connection.preparedQuery(COUNT_ON_PROVIDER).execute(Tuple.of(providerId)).invoke(rows -> {
                            long registered = rows.iterator().next().getLong(0);
                            if (registered >= MAX_OPERATIONAL_WEBHOOKS) {
                                throw new QuotaExceeded("webhookUrl: the application has " + registered
                                        + " operational webhooks, the most it may have; delete one first");
                            }
                        }))
                .call(quota -> connection.preparedQuery(COUNT_WEBHOOKS).execute(Tuple.of(applicationId))
                        .invoke(rows -> {
                            long registered = rows.iterator().next().getLong(0);
                            if (registered >= quota) {
                                throw new QuotaExceeded("webhookUrl: the application has " + registered
                                        + " webhooks, its quota (herald.tenancy.max-webhooks-per-application, or the"
                                        + " admin's setApplicationLimits); delete one first");
                            }
                        }))
                .chain(() -> connection.query(NEXT_ID).execute())
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(id -> {
                    SealedAccess access = accessFor.apply(id);
                    return connection.preparedQuery(REGISTER).execute(Tuple.from(new Object[] { providerId,
                            applicationId, url, secretFor.apply(id), legacyHeader, now.atOffset(ZoneOffset.UTC),
                            settings.description(), settings.channelTypes(), settings.deliveryStatuses(),
                            headersFor.apply(id), settings.maxInFlight(), settings.maxPerMinute(), id,
                            settings.retries().scheduleMs(), settings.retries().jitter(), settings.retries().timeoutMs(),
                            access.proxy(), access.clientCertificate(), access.oauth2(),
                            subscription.eventTypes(), settings.ordering() == null ? (short) 0
                                    : settings.ordering().stored() }));
                })
                .map(rows -> only(rows, "providerId", "provider", providerId))
                .call(row -> connection.preparedQuery(NEW_ENDPOINT).execute(Tuple.of(row.getLong("id"), applicationId)));
    }

    /**
     * The webhook as changed: null fields keep their value; a webhook switched on (status 1) is woken.
     * {@code checkStored} sees the stored row (its legacy header and headers) first, under lock, and may refuse.
     */
    Uni<Row> update(int applicationId, long webhookId, String url, Integer status, boolean setLegacyHeader,
            String legacyHeader, WebhookSettings settings, String sealedHeaders, AccessSettings.Checked access,
            SealedAccess sealedAccess, boolean eventTypesGiven, String[] eventTypes, Consumer<Row> checkStored,
            Instant now) {
        return pool.withTransaction(connection -> lockOwnedEndpoint(connection, applicationId, webhookId,
                url != null, url)
                .chain(() -> connection.preparedQuery(STORED).execute(Tuple.of(webhookId, applicationId)))
                .map(rows -> only(rows, "id", "webhook", webhookId))
                .invoke(checkStored)
                .chain(stored -> connection.preparedQuery(UPDATE).execute(Tuple.from(new Object[] { webhookId,
                        applicationId, url, status == null ? null : status.shortValue(), setLegacyHeader, legacyHeader,
                        now.atOffset(ZoneOffset.UTC), settings.descriptionGiven(), settings.description(),
                        settings.channelTypesGiven(), settings.channelTypes(), settings.deliveryStatusesGiven(),
                        settings.deliveryStatuses(), settings.headersGiven(), sealedHeaders,
                        settings.maxInFlightGiven(), settings.maxInFlight(), settings.maxPerMinuteGiven(),
                        settings.maxPerMinute(), settings.retries().scheduleGiven(), settings.retries().scheduleMs(),
                        settings.retries().jitterGiven(), settings.retries().jitter(),
                        settings.retries().timeoutGiven(), settings.retries().timeoutMs(), access.proxyGiven(),
                        sealedAccess.proxy(), access.certificateGiven(), sealedAccess.clientCertificate(),
                        access.oauth2Given(), sealedAccess.oauth2(), eventTypesGiven, eventTypes,
                        settings.ordering() != null, settings.ordering() == null ? null : settings.ordering().stored() }))
                        .map(rows -> only(rows, "id", "webhook", webhookId))
                        // only when it was off: a form that always sends status 1 must not postpone auto-disable
                        .call(() -> status != null && status == Webhook.ACTIVE
                                && stored.getInteger("status") != Webhook.ACTIVE
                                        ? connection.preparedQuery(RESTART_FAILURE_RUN).execute(Tuple.of(webhookId))
                                        : Uni.createFrom().voidItem())
                        // unordered from now on, what waited its turn is free to go (the wake below sends it);
                        // ordered, what waits takes its place in its notification's order
                        .call(() -> settings.ordering() == null ? Uni.createFrom().voidItem()
                                : connection.preparedQuery(settings.ordering() == WebhookOrdering.UNORDERED ? UNORDER
                                        : ORDER).execute(Tuple.of(webhookId))))
                .call(row -> row.getInteger("status") == Webhook.ACTIVE
                        ? connection.preparedQuery(WAKE).execute(Tuple.of(webhookId))
                        : Uni.createFrom().voidItem()));
    }

    /** The application's operational provider, made when it has none; missing when the application is. */
    private static Uni<Integer> operationalProvider(SqlConnection connection, int applicationId) {
        return connection.preparedQuery(OPERATIONAL_PROVIDER).execute(Tuple.of(applicationId))
                .map(rows -> only(rows, "applicationId", "application", applicationId).getInteger("id"));
    }

    /**
     * What a new webhook is registered on: a provider of the application, or (operational) its operational provider,
     * and the event types it subscribes to (null: every event of its provider).
     */
    record Subscription(boolean operational, String[] eventTypes) {
    }

    Uni<Void> delete(int applicationId, long webhookId) {
        return pool.withTransaction(connection -> lockOwnedEndpoint(connection, applicationId, webhookId, true, null)
                .chain(() -> connection.preparedQuery(RELEASE_IN_FLIGHT).execute(Tuple.of(webhookId)))
                .chain(() -> connection.preparedQuery(DELETE).execute(Tuple.of(webhookId, applicationId)))
                .map(rows -> only(rows, "id", "webhook", webhookId))
                .replaceWithVoid());
    }

    /** Answers when the previous secret stops signing, by the database's clock. */
    Uni<Instant> rotateSecret(int applicationId, long webhookId, String encryptedSecret, Duration grace, Instant now) {
        return pool.preparedQuery(ROTATE)
                .execute(Tuple.of(webhookId, applicationId, encryptedSecret, grace.toMillis(), now.atOffset(ZoneOffset.UTC)))
                .map(rows -> only(rows, "webhookId", "webhook", webhookId).getOffsetDateTime(0).toInstant());
    }

    /**
     * Locks the webhook's endpoint row, once the webhook is known to be the application's: another application's
     * caller must not be able to hold an endpoint row (and the claims that need it) even for a moment. A webhook's
     * provider never changes, so what the check read still holds under the lock; one deleted meanwhile is found
     * missing by the statements that follow. A webhook that may leave its receiver ({@code leaving}: for
     * {@code newUrl}'s, or deleted when that is null) first makes the receivers it leaves and joins shared as they
     * need to be, in the lock order.
     */
    private static Uni<Void> lockOwnedEndpoint(SqlConnection connection, int applicationId, long webhookId,
            boolean leaving, String newUrl) {
        return connection.preparedQuery(OWNED).execute(Tuple.of(webhookId, applicationId))
                .invoke(rows -> only(rows, "id", "webhook", webhookId))
                .call(() -> !leaving ? Uni.createFrom().voidItem()
                        : connection.preparedQuery(SHARE_RECEIVERS).execute(Tuple.of(webhookId, newUrl)))
                .chain(() -> connection.preparedQuery(LOCK_ENDPOINT).execute(Tuple.of(webhookId)))
                .replaceWithVoid();
    }

    /** The one row a statement on one webhook (or provider) answered; none: it is not the application's. */
    private static Row only(Iterable<Row> rows, String field, String kind, long id) {
        var found = rows.iterator();
        if (!found.hasNext()) {
            throw new NotFound(field, kind, id);
        }
        return found.next();
    }
}
