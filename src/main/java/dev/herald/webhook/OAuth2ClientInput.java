package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

/** OAuth2 client credentials, for a receiver that requires a bearer token. */
@Input("OAuth2ClientInput")
@Description("OAuth2 client credentials (the client credentials grant); on updateWebhook an empty tokenUrl removes them")
public class OAuth2ClientInput {

    @NonNull
    @Description("The token endpoint, under the same rules as webhook URLs (https where required, no internal address)")
    public String tokenUrl;

    @NonNull
    public String clientId;

    @NonNull
    @Description("Stored encrypted, never shown")
    public String clientSecret;

    @Description("The scope asked for (absent or empty: the token endpoint's default)")
    public String scope;
}
