package dev.herald.webhook;

import java.util.List;

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

    @Description("What this webhook is for, for its owner (at most 500 characters; an empty string clears it)")
    public String description;

    @Description("Only notifications whose channelType is in this list (empty or absent: all)")
    public List<Integer> channelTypes;

    @Description("Only notifications whose deliveryStatus is in this list, e.g. [6] for failed ones (empty or"
            + " absent: all)")
    public List<Integer> deliveryStatuses;
}
