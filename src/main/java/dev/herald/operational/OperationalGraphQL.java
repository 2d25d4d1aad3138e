package dev.herald.operational;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.tenancy.CallerResolver;
import dev.herald.webhook.WebhookService;
import dev.herald.webhook.WebhookView;
import io.smallrye.mutiny.Uni;

@GraphQLApi
@LogsUnexpectedFailures
public class OperationalGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    WebhookService webhooks;

    @Mutation
    @Description("Registers a receiver for events about the caller's own webhooks (webhook.failing, webhook.disabled,"
            + " webhook.recovered, delivery.exhausted), delivered like any delivery: signed with the secret this"
            + " answers, capped, retried and logged. Listed, changed and deleted like the caller's other webhooks.")
    public Uni<WebhookView> createOperationalWebhook(
            @Name("createOperationalWebhookInput") @NonNull CreateOperationalWebhookInput input) {
        return callers.current()
                .chain(caller -> webhooks.registerOperational(caller.requireApplication(), input));
    }
}
