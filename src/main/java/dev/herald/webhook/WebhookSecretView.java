package dev.herald.webhook;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("WebhookSecret")
@Description("A webhook's signing secret, for its owner.")
public record WebhookSecretView(
        @NonNull String secret,
        @Description("Until then deliveries are signed with the previous secret too; null when none does any more")
        @DateFormat(Timestamps.JSON_FORMAT) Instant previousSecretExpiresAt) {
}
