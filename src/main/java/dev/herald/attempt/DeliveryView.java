package dev.herald.attempt;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.dispatch.DeliveryState;

@Type("Delivery")
@Description("One event going to one webhook.")
public record DeliveryView(
        @Id @NonNull String id,
        @Id @NonNull String eventId,
        @Id @NonNull String webhookId,
        @NonNull DeliveryState status,
        @Description("Attempts made, over all replays") int attemptCount,
        @Description("When the next attempt is due (PENDING only)") @DateFormat(UTC_MILLIS) Instant nextAttemptAt,
        @NonNull List<@NonNull AttemptView> attempts) {

    static final String UTC_MILLIS = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";
}
