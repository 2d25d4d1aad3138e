package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Changes a webhook; fields left out keep their value.")
@Input("UpdateWebhookInput")
public class UpdateWebhookInput {

    @Id
    @NonNull
    public String id;

    public String webhookUrl;

    @Description("1 active, 0 inactive")
    public Integer status;

    @Description("Also sign with the legacy scheme (hex HMAC-SHA512 of the body, keyed by the secret) in this header;"
            + " an empty string turns it off")
    public String legacySignatureHeader;
}
