package dev.herald.attempt;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("ResponseTimeMinute")
@Description("How long one webhook's receiver took to answer the attempts started in one minute (UTC), from the"
        + " attempt log: attempts that reached the receiver (an answer, a timeout, a network failure) of deliveries that"
        + " are final.")
public record ResponseTimeMinute(
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) @Description("The minute's start") Instant minute,
        @Description("Attempts counted") int attempts,
        @Description("Median duration in milliseconds (percentile_cont 0.5); null when no attempt counted") Double p50Ms,
        @Description("99th percentile duration in milliseconds (percentile_cont 0.99); null when no attempt counted")
        Double p99Ms) {
}
