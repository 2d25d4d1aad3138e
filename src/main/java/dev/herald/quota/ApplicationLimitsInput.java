package dev.herald.quota;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Input("ApplicationLimitsInput")
@Description("An application's own limits. Each one left out (or null) follows the deployment's default.")
public class ApplicationLimitsInput {

    @NonNull
    public Integer applicationId;

    @Description("Webhooks it may register: 0 or more")
    public Integer maxWebhooks;

    @Description("Portal tokens it may hold in force: 0 or more")
    public Integer maxPortalTokens;

    @Description("Events one request may carry: 1 or more")
    public Integer maxEventsPerRequest;

    @Description("Events it may send a second: 1 or more")
    public Integer maxEventsPerSecond;
}
