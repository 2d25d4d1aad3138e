package dev.herald.portal;

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

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import dev.herald.tenancy.CallerResolver;
import dev.herald.tenancy.PortalAccess;
import dev.herald.tenancy.PortalTokens;
import io.smallrye.mutiny.Uni;

/** Portal tokens: minting, listing and revoking them, and what the token in use names (the console asks at sign-in). */
@GraphQLApi
@LogsUnexpectedFailures
public class PortalGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    PortalTokens tokens;

    @Mutation
    @Description("Mints a short-lived token for the console (an embeddable portal), scoped to an application's"
            + " webhooks, one provider's or one webhook, to READ or to MANAGE. The admin key names the application;"
            + " an application's key mints for itself. The token is not an API key and cannot mint others.")
    public Uni<PortalTokenView> createPortalToken(
            @Name("applicationId") Integer applicationId,
            @Name("providerId") Integer providerId,
            @Name("webhookId") @Id String webhookId,
            @Name("access") @NonNull PortalAccess access,
            @Name("ttl") @NonNull @Description("How long it lasts, 1m to 24h (a whole number and a unit: 15m, 8h)")
            String ttl) {
        return callers.current()
                .chain(caller -> tokens.mint(caller, applicationId, providerId, webhookId, access, ttl))
                .map(minted -> PortalTokenView.of(minted.id(), minted.token(), minted.scope()));
    }

    @Mutation
    @Description("Ends a portal token at once, by the id its minting answered: the application's own key, or the admin"
            + " key for any. Answers true.")
    public Uni<Boolean> revokePortalToken(@Name("id") @Id @NonNull String id) {
        return callers.current().chain(caller -> tokens.revoke(caller, id));
    }

    @Query
    @Description("An application's portal tokens still in force, in the order they were minted: what each names and"
            + " its id, to revoke it; never the token itself (only its hash is kept). The admin key names the"
            + " application; an application's key lists its own.")
    public Uni<@NonNull List<@NonNull PortalTokenView>> portalTokens(@Name("applicationId") Integer applicationId,
            @Name("limit") @DefaultValue(Pages.PORTAL_TOKENS) @Description("How many, 1 to " + Pages.MAX_PORTAL_TOKENS)
            int limit,
            @Name("after") @Id @Description("The id of the last token of the page before; none: from the first")
            String after) {
        return callers.current()
                .invoke(() -> Pages.size("limit", limit, Pages.MAX_PORTAL_TOKENS))
                .chain(caller -> tokens.live(caller, applicationId, limit, after))
                .map(listed -> listed.stream().map(token -> PortalTokenView.of(token.id(), null, token.scope()))
                        .toList());
    }

    @Query
    @Description("What the portal token in use names; null for an API key or the admin key.")
    public Uni<PortalTokenView> portalScope() {
        return callers.current().map(caller -> caller.portal() == null ? null
                : PortalTokenView.of(null, null, caller.portal()));
    }
}
