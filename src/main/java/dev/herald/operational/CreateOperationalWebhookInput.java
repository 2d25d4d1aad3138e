package dev.herald.operational;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Description("A receiver for events about the application's own webhooks.")
@Input("CreateOperationalWebhookInput")
public class CreateOperationalWebhookInput {

    @NonNull
    public String webhookUrl;

    @NonNull
    @Description("The operational event types it receives: webhook.failing, webhook.disabled, webhook.recovered,"
            + " delivery.exhausted (at least one)")
    public List<@NonNull String> eventTypes;

    @Description("What this webhook is for, as its owner writes it")
    public String description;
}
