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

import dev.herald.api.InvalidInput;
import dev.herald.api.LogsUnexpectedFailures;
import io.smallrye.mutiny.Uni;

@GraphQLApi
@LogsUnexpectedFailures
public class TenancyGraphQL {

    static final int MAX_APPLICATIONS = 1000;

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
    @Description("The newest applications, newest first (admin key only); apiKey is null: only its hash is kept.")
    public Uni<@NonNull List<@NonNull ApplicationView>> applications(
            @DefaultValue("200") @Description("How many, 1 to " + MAX_APPLICATIONS) int limit) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .invoke(admin -> InvalidInput.requireBetween("limit", limit, 1, MAX_APPLICATIONS))
                .chain(admin -> tenancy.applications(limit));
    }

    @Mutation
    @Description("Creates a provider in the calling application.")
    public Uni<ProviderView> createProvider(@Name("createProviderInput") @NonNull CreateProviderInput input) {
        return callers.current()
                .map(Caller::requireApplication)
                .chain(applicationId -> tenancy.createProvider(applicationId, input));
    }

    @Query
    @Description("The calling application's providers.")
    public Uni<@NonNull List<@NonNull ProviderView>> providers() {
        return callers.current()
                .map(Caller::requireApplication)
                .chain(tenancy::providers);
    }
}
