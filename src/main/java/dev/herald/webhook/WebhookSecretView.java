package dev.herald.webhook;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("WebhookSecret")
@Description("A webhook's new signing secret.")
public record WebhookSecretView(
        @NonNull String secret,
        @Description("Until then deliveries are signed with the previous secret too")
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant previousSecretExpiresAt) {
}
