package dev.herald.operator;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("FailingEndpoint")
@Description("A webhook whose receiver has failed every attempt since failingSince (its health's run of failures).")
public record FailingEndpoint(
        @Id @NonNull String webhookId,
        int applicationId,
        @NonNull String webhookUrl,
        @Description("1 active, 0 inactive") int status,
        int consecutiveFailures,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant failingSince,
        String lastError) {
}
