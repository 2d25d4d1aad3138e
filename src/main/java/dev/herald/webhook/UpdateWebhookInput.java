package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Changes a webhook; fields left out keep their value.")
@Input("UpdateWebhookInput")
public class UpdateWebhookInput extends WebhookSettingsInput {

    @Id
    @NonNull
    public String id;

    public String webhookUrl;

    @Description("1 active, 0 inactive; switching a webhook on clears its disabledReason")
    public Integer status;
}
