package dev.herald.testevent;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.tenancy.CallerResolver;
import dev.herald.portal.ScopeCheck;
import dev.herald.tenancy.PortalAccess;
import io.smallrye.mutiny.Uni;

@GraphQLApi
@LogsUnexpectedFailures
public class TestEventGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    TestEvents tests;

    @Inject
    ScopeCheck scopes;

    @Mutation
    @Description("Sends one signed sample notification (header webhook-test: true) to this webhook alone, counted in"
            + " its caps, and answers when the attempt ends. It is recorded in no delivery history.")
    public Uni<TestDelivery> sendTestEvent(@Name("webhookId") @Id @NonNull String webhookId) {
        return callers.current()
                .chain(caller -> scopes.webhook(caller, webhookId, PortalAccess.MANAGE))
                .chain(applicationId -> tests.send(applicationId, webhookId));
    }
}
