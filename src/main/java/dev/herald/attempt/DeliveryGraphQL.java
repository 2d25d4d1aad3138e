package dev.herald.attempt;

import java.time.Instant;
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
import org.eclipse.microprofile.graphql.Source;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.dispatch.DeliveryState;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import dev.herald.portal.ScopeCheck;
import dev.herald.tenancy.PortalAccess;
import io.smallrye.mutiny.Uni;

/** The attempt log and replay, for the caller's own deliveries only. */
@GraphQLApi
@LogsUnexpectedFailures
public class DeliveryGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    AttemptLog log;

    @Inject
    Replay replay;

    @Inject
    Recovery recovery;

    @Inject
    ScopeCheck scopes;

    @Query
    @Description("The caller's deliveries, newest first, with their attempts: waiting and finished ones (kept for"
            + " herald.retention.period) together. Page with `after` (a page's nextCursor); `offset` is for the first"
            + " 1,000 only. `since` and `until` bound when deliveries were made.")
    public Uni<@NonNull DeliveryPage> deliveries(@Name("webhookId") @Id String webhookId,
            @Name("eventId") @Id String eventId, @Name("status") DeliveryState status,
            @Name("since") Instant since, @Name("until") Instant until, @Name("after") String after,
            @Name("limit") @DefaultValue(Pages.DELIVERIES) Integer limit, @Name("offset") @DefaultValue("0") Integer offset) {
        DeliveryFilter filter = DeliveryFilter.of(webhookId, eventId, status, since, until, after, limit, offset);
        return callers.current()
                .chain(caller -> webhookId != null
                        ? scopes.webhook(caller, webhookId, PortalAccess.READ).map(applicationId ->
                                log.page(applicationId, filter)).chain(page -> page)
                        : listing(caller, filter));
    }

    /** Without a webhook: a portal token sees the deliveries of its webhook, or of its provider's webhooks. */
    private Uni<DeliveryPage> listing(Caller caller, DeliveryFilter filter) {
        ScopeCheck.Listing scope = scopes.listing(caller, null);
        return log.page(scope.applicationId(), scope.webhookId() != null ? filter.ofWebhook(scope.webhookId())
                : filter.ofProvider(scope.providerId()));
    }

    @Description("Its newest attempts, oldest first (attemptCount says how many it had in all)")
    public @NonNull List<@NonNull AttemptView> attempts(@Source DeliveryView delivery,
            @Name("last") @DefaultValue(Pages.ATTEMPTS) @Description("How many, 1 to " + Pages.MAX_ATTEMPTS) int last) {
        Pages.size("last", last, Pages.MAX_ATTEMPTS);
        List<AttemptView> recent = delivery.recentAttempts();
        return recent.subList(Math.max(0, recent.size() - last), recent.size());
    }

    @Mutation
    @Description("Sends a FAILED delivery again, with a fresh set of attempts.")
    public Uni<DeliveryView> replayDelivery(@Name("deliveryId") @Id @NonNull String deliveryId) {
        return callers.current()
                .chain(caller -> scopes.delivery(caller, deliveryId, PortalAccess.MANAGE))
                .chain(applicationId -> replay.one(applicationId, Ids.parse("deliveryId", deliveryId)))
                .chain(log::byIds)
                .map(views -> views.get(0));
    }

    @Mutation
    @Description("Makes deliveries to a webhook for the retained events of its provider accepted from `since` to"
            + " `until` (now when absent) that it takes (its filters) and has no delivery for, current or past: the"
            + " events that came while it was off, for example. They are sent under the caps like any other (held"
            + " while it is off). Refused for a `since` beyond herald.retention.period. Answers how many it made.")
    public Uni<Integer> recoverWebhook(@Name("webhookId") @Id @NonNull String webhookId,
            @Name("since") @NonNull Instant since, @Name("until") Instant until) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, webhookId, PortalAccess.MANAGE))
                .chain(applicationId -> recovery.recover(applicationId, Ids.parse("webhookId", webhookId), since,
                        until));
    }

    @Mutation
    @Description("Sends a webhook's FAILED deliveries again (those that failed since `since`, if given). "
            + "Answers how many.")
    public Uni<Integer> replayFailed(@Name("webhookId") @Id @NonNull String webhookId,
            @Name("since") Instant since) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, webhookId, PortalAccess.MANAGE))
                .chain(applicationId -> replay.ofWebhook(applicationId, Ids.parse("webhookId", webhookId), since))
                .map(replayed -> replayed.size());
    }
}
