package dev.herald.tenancy;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import io.smallrye.mutiny.Uni;

@GraphQLApi
@LogsUnexpectedFailures
public class TenancyGraphQL {


    @Inject
    CallerResolver callers;

    @Inject
    TenancyService tenancy;

    @Mutation
    @Description("Creates an application (admin key only). Its API key is returned once and stored only as a hash.")
    public Uni<ApplicationView> createApplication(
            @Name("createApplicationInput") @NonNull CreateApplicationInput input) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .chain(admin -> tenancy.createApplication(input));
    }

    @Query
    @Description("The applications, newest first, a page at a time (admin key only): `after` is the last"
            + " applicationId of the previous page. apiKey is null: only its hash is kept.")
    public Uni<@NonNull List<@NonNull ApplicationView>> applications(
            @DefaultValue(Pages.APPLICATIONS) @Description("How many, 1 to " + Pages.MAX_APPLICATIONS) int limit,
            @Name("after") Integer after) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .invoke(admin -> Pages.size("limit", limit, Pages.MAX_APPLICATIONS))
                .chain(admin -> tenancy.applications(limit, after == null ? Integer.MAX_VALUE : after));
    }

    @Mutation
    @Description("Creates a provider in the calling application.")
    public Uni<ProviderView> createProvider(@Name("createProviderInput") @NonNull CreateProviderInput input) {
        return callers.current()
                .map(Caller::requireApplication)
                .chain(applicationId -> tenancy.createProvider(applicationId, input));
    }

    @Query
    @Description("The calling application's providers in id order, a page at a time: `after` is the last providerId"
            + " of the previous page.")
    public Uni<@NonNull List<@NonNull ProviderView>> providers(
            @DefaultValue(Pages.PROVIDERS) @Description("How many, 1 to " + Pages.MAX_PROVIDERS) int limit,
            @Name("after") Integer after) {
        return callers.current()
                .invoke(() -> Pages.size("limit", limit, Pages.MAX_PROVIDERS))
                .chain(caller -> caller.portal() == null
                        ? tenancy.providers(caller.requireApplication(), null, limit, after == null ? 0 : after)
                        // a portal token sees its provider only (all of its application's for an application's token)
                        : tenancy.providers(caller.portal().applicationId(), caller.portal().providerId(), limit,
                                after == null ? 0 : after));
    }
}
