package dev.herald.testevent;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;

@GraphQLApi
@LogsUnexpectedFailures
public class TestEventGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    TestEvents tests;

    @Mutation
    @Description("Sends one signed sample notification (header webhook-test: true) to this webhook alone, counted in"
            + " its caps, and answers when the attempt ends. It is recorded in no delivery history.")
    public Uni<TestDelivery> sendTestEvent(@Name("webhookId") @Id @NonNull String webhookId) {
        return callers.current()
                .map(Caller::requireApplication)
                .chain(applicationId -> tests.send(applicationId, webhookId));
    }
}
