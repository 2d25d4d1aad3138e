package dev.herald.webhook;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.herald.api.Ids;
import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import dev.herald.tenancy.CallerResolver;
import dev.herald.portal.ScopeCheck;
import dev.herald.tenancy.PortalAccess;
import io.smallrye.mutiny.Uni;

/**
 * The OsmoX webhook API. Each operation is one sequential chain (authenticate, then one service call), so a
 * Hibernate Reactive session is never shared between fields resolved in parallel.
 */
@GraphQLApi
@LogsUnexpectedFailures
public class WebhookGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    WebhookService webhooks;

    @Inject
    ScopeCheck scopes;

    @Mutation("webhook")
    @Description("Registers a webhook URL on one of the caller's providers. Answers as OsmoX does.")
    public Uni<WebhookView> registerWebhook(@Name("createWebhookInput") @NonNull CreateWebhookInput input) {
        return callers.current()
                .map(caller -> scopes.provider(caller, input.providerId, PortalAccess.MANAGE))
                .chain(applicationId -> webhooks.register(applicationId, input));
    }

    @Query("webhooks")
    @Description("The caller's webhooks in id order, optionally only those of one provider, a page at a time: `after`"
            + " is the last id of the previous page.")
    public Uni<@NonNull List<@NonNull WebhookView>> webhooks(@Name("providerId") Integer providerId,
            @Name("limit") @DefaultValue(Pages.WEBHOOKS) @Description("How many, 1 to " + Pages.MAX_WEBHOOKS) int limit,
            @Name("after") @Id String after) {
        return callers.current().chain(caller -> {
            ScopeCheck.Listing scope = scopes.listing(caller, providerId);
            Pages.size("limit", limit, Pages.MAX_WEBHOOKS);
            return webhooks.list(scope.applicationId(), scope.providerId(), scope.webhookId(), limit,
                    after == null ? 0 : Ids.parse("after", after))
                    // a token that may only read sees no header value and no receiver access (credentials)
                    .map(views -> caller.portal() == null || caller.portal().access() == PortalAccess.MANAGE ? views
                            : views.stream().map(WebhookView::withoutCredentials).toList());
        });
    }

    @Mutation
    @Description("Changes a webhook's URL or status (1 active, 0 inactive).")
    public Uni<WebhookView> updateWebhook(@Name("updateWebhookInput") @NonNull UpdateWebhookInput input) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, input.id, PortalAccess.MANAGE))
                .chain(applicationId -> webhooks.update(applicationId, input));
    }

    @Mutation
    @Description("Gives a webhook a new signing secret. The old one keeps signing next to it for the grace period"
            + " (herald.signing.rotation-grace), so receivers can switch without downtime.")
    public Uni<WebhookSecretView> rotateWebhookSecret(@Name("webhookId") @Id @NonNull String webhookId) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, webhookId, PortalAccess.MANAGE))
                .chain(applicationId -> webhooks.rotateSecret(applicationId, webhookId));
    }

    @Query("webhookSecret")
    @Description("A webhook's signing secret, for its owner: lists of webhooks never carry it.")
    public Uni<WebhookSecretView> webhookSecret(@Name("webhookId") @Id @NonNull String webhookId) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, webhookId, PortalAccess.MANAGE))
                .chain(applicationId -> webhooks.secret(applicationId, webhookId));
    }

    @Mutation
    @Description("Deletes a webhook. Answers true.")
    public Uni<Boolean> deleteWebhook(@Name("id") @Id @NonNull String id) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, id, PortalAccess.MANAGE))
                .chain(applicationId -> webhooks.delete(applicationId, id));
    }
}
