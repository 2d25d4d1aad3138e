package dev.herald.health;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("MinuteCount")
@Description("The attempts one webhook's receiver answered in one minute (UTC), as health counts them: a succeeded"
        + " attempt is a delivery delivered; a failed one may be retried.")
public record MinuteCount(
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) @Description("The minute's start") Instant minute,
        int succeeded,
        int failed) {
}
