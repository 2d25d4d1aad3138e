package dev.herald.attempt;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Ignore;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;
import dev.herald.dispatch.DeliveryState;

@Type("Delivery")
@Description("One event going to one webhook.")
/*
 * recentAttempts: its newest attempts (at most Pages.MAX_ATTEMPTS, oldest first), of which the field `attempts`
 * answers the last few the request asks for (DeliveryGraphQL).
 */
public record DeliveryView(
        @Id @NonNull String id,
        @Id @NonNull String eventId,
        @Id @NonNull String webhookId,
        @NonNull DeliveryState status,
        @Description("Attempts made, over all replays") int attemptCount,
        @Description("When the next attempt is due (PENDING only)") @DateFormat(Timestamps.JSON_FORMAT) Instant nextAttemptAt,
        @Description("When the delivery was made (its event fanned out)") @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant createdAt,
        @Description("When it ended (DELIVERED or FAILED only)") @DateFormat(Timestamps.JSON_FORMAT) Instant finishedAt,
        @Ignore List<AttemptView> recentAttempts) {
}
