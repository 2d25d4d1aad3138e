package dev.herald.tenancy;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.herald.api.LogsUnexpectedFailures;
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
    public Uni<@NonNull ApplicationView> createApplication(
            @Name("createApplicationInput") @NonNull CreateApplicationInput input) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .chain(admin -> tenancy.createApplication(input));
    }

    @Mutation
    @Description("Creates a provider in the calling application.")
    public Uni<@NonNull ProviderView> createProvider(@Name("createProviderInput") @NonNull CreateProviderInput input) {
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
