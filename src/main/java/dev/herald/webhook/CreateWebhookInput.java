package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("CreateWebhookInput")
public class CreateWebhookInput {

    @NonNull
    public Integer providerId;

    @NonNull
    public String webhookUrl;

    @Description("Also sign with the legacy scheme (hex HMAC-SHA512 of the body, keyed by the secret) in this header;"
            + " an empty string turns it off")
    public String legacySignatureHeader;
}
