package dev.herald.quota;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

@Type("ApplicationLimits")
@Description("What an application may have and send: its own figures where the admin set them, else the"
        + " deployment's defaults.")
public record ApplicationLimits(
        @Description("Webhooks it may register (herald.tenancy.max-webhooks-per-application)") int maxWebhooks,
        @Description("Portal tokens it may hold in force (herald.tenancy.max-portal-tokens-per-application)")
        int maxPortalTokens,
        @Description("Events one POST /v1/events may carry (herald.ingest.max-events-per-request)")
        int maxEventsPerRequest,
        @Description("Events it may send a second, across all replicas"
                + " (herald.ingest.max-events-per-second-per-application)") int maxEventsPerSecond,
        @Description("Whether the admin set any of its own figures") boolean own) {
}
