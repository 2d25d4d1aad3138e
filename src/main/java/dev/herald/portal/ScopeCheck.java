package dev.herald.portal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Ids;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.PortalAccess;
import dev.herald.tenancy.PortalScope;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The one place where a portal token's scope is enforced. Each operation a portal token may use asks here for the
 * application it acts in, naming what it touches; an API key passes as before (its application), the admin key is
 * refused as before, and a portal token passes only within its scope and access. Every other operation refuses portal
 * tokens ({@link Caller#requireApplication()}).
 */
@ApplicationScoped
public class ScopeCheck {

    /* $1 webhook, $2 application: its provider, when it is the application's */
    private static final String PROVIDER_OF_WEBHOOK = """
            SELECT w.provider_id FROM webhook w JOIN provider p ON p.id = w.provider_id
             WHERE w.id = $1 AND p.application_id = $2""";

    /*
     * $1 delivery, $2 application: its webhook, waiting or FAILED (only those are replayed): the history is read through
     * its small index of failed deliveries, as it has none by id
     */
    private static final String WEBHOOK_OF_DELIVERY = """
            SELECT webhook_id FROM delivery WHERE id = $1 AND application_id = $2
            UNION ALL
            SELECT webhook_id FROM delivery_history WHERE id = $1 AND application_id = $2 AND status = 3
            LIMIT 1""";

    @Inject
    Pool pool;

    /** What a list may show a caller: its application, and for a portal token its provider and webhook. */
    public record Listing(int applicationId, Integer providerId, Long webhookId) {
    }

    /** For reading lists: what the caller may see ({@code providerId}, when given, must be within the scope). */
    public Listing listing(Caller caller, Integer providerId) {
        PortalScope scope = caller.portal();
        if (scope == null) {
            return new Listing(caller.requireApplication(), providerId, null);
        }
        if (providerId != null && scope.providerId() != null && !providerId.equals(scope.providerId())) {
            throw PortalScope.outside("provider " + providerId);
        }
        return new Listing(scope.applicationId(), scope.providerId() != null ? scope.providerId() : providerId,
                scope.webhookId());
    }

    /** For an operation on one webhook: its application, once the webhook is within the caller's scope. */
    public Uni<Integer> webhook(Caller caller, String rawWebhookId, PortalAccess needed) {
        PortalScope scope = caller.portal();
        if (scope == null) {
            return Uni.createFrom().item(caller.requireApplication());
        }
        scope.require(needed);
        long webhookId = Ids.parse("webhookId", rawWebhookId);
        if (scope.webhookId() != null) {
            if (scope.webhookId() != webhookId) {
                throw PortalScope.outside("webhook " + webhookId);
            }
            return Uni.createFrom().item(scope.applicationId());
        }
        if (scope.providerId() == null) {
            return Uni.createFrom().item(scope.applicationId());
        }
        return pool.preparedQuery(PROVIDER_OF_WEBHOOK).execute(Tuple.of(webhookId, scope.applicationId()))
                .map(rows -> {
                    // a webhook that is not the application's is answered as missing by the operation itself
                    if (rows.size() > 0 && !scope.providerId().equals(rows.iterator().next().getInteger(0))) {
                        throw PortalScope.outside("webhook " + webhookId);
                    }
                    return scope.applicationId();
                });
    }

    /** For registering a webhook on a provider: a webhook's token cannot, a provider's only on its provider. */
    public int provider(Caller caller, int providerId, PortalAccess needed) {
        PortalScope scope = caller.portal();
        if (scope == null) {
            return caller.requireApplication();
        }
        scope.require(needed);
        if (scope.webhookId() != null || scope.providerId() != null && scope.providerId() != providerId) {
            throw PortalScope.outside("provider " + providerId);
        }
        return scope.applicationId();
    }

    /** For an operation on one delivery: its application, once the delivery's webhook is within the scope. */
    public Uni<Integer> delivery(Caller caller, String rawDeliveryId, PortalAccess needed) {
        PortalScope scope = caller.portal();
        if (scope == null) {
            return Uni.createFrom().item(caller.requireApplication());
        }
        scope.require(needed);
        long deliveryId = Ids.parse("deliveryId", rawDeliveryId);
        if (scope.providerId() == null && scope.webhookId() == null) {
            return Uni.createFrom().item(scope.applicationId());
        }
        return pool.preparedQuery(WEBHOOK_OF_DELIVERY).execute(Tuple.of(deliveryId, scope.applicationId()))
                .chain(rows -> rows.size() == 0 ? Uni.createFrom().item(scope.applicationId()) // answered as missing
                        : webhook(caller, rows.iterator().next().getLong(0).toString(), needed));
    }
}
