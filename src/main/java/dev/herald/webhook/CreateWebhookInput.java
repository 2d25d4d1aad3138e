package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("CreateWebhookInput")
public class CreateWebhookInput extends WebhookSettingsInput {

    @NonNull
    public Integer providerId;

    @NonNull
    public String webhookUrl;
}
