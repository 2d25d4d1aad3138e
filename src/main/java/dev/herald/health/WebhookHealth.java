package dev.herald.health;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("WebhookHealth")
@Description("How a webhook's receiver has been doing, kept as attempts are recorded (never computed from the"
        + " history).")
public record WebhookHealth(
        @Description("Share of the attempts of the last 60 minutes that succeeded (0 to 1); null when there were none")
        Double successRate1h,
        @DateFormat(Timestamps.JSON_FORMAT) Instant lastSuccessAt,
        @DateFormat(Timestamps.JSON_FORMAT) Instant lastFailureAt,
        @Description("The error of the last failed attempt, e.g. http_500, timeout, network: connection refused")
        String lastError,
        @Description("Attempts failed since the last success") int consecutiveFailures,
        @Description("Deliveries waiting to be attempted (held ones too, while the webhook is off)") long pending,
        @Description("Attempts in flight now, across all replicas") int inFlight,
        @Description("The last 60 minutes, oldest first, the current one last: attempts succeeded and failed in each")
        @NonNull List<@NonNull MinuteCount> minutes) {
}
