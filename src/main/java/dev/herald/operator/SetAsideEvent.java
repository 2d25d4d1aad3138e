package dev.herald.operator;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("SetAsideEvent")
@Description("An event whose fan-out failed, set aside so that every other event goes on: it waits for the operator"
        + " (retrySetAsideEvents once the cause is gone, or retention drops it).")
public record SetAsideEvent(
        @Id @NonNull String eventId,
        @Description("The application whose producer sent it (0: unknown, a producer's INSERT for a missing provider)")
        int applicationId,
        int providerId,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant acceptedAt,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant setAsideAt,
        @Description("What PostgreSQL answered when its fan-out failed (SQLSTATE: message)") @NonNull String error) {
}
