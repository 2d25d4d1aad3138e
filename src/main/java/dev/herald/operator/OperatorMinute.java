package dev.herald.operator;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("OperatorMinute")
@Description("One minute (UTC) of the whole Herald, across all replicas and applications (admin key only).")
public record OperatorMinute(
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) @Description("The minute's start") Instant minute,
        @Description("Attempts that succeeded in the minute (deliveries delivered), as the webhooks' health counts"
                + " them") long delivered,
        @Description("Attempts that failed at a receiver in the minute (a failed attempt may be retried)") long failed,
        @Description("Deliveries not yet final for webhooks that are on, as the gauges last read them in the minute;"
                + " null for a minute no replica read them") Long backlog) {
}
