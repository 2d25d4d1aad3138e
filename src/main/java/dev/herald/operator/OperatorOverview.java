package dev.herald.operator;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

@Type("OperatorOverview")
@Description("The whole Herald at a glance, across all replicas and applications (admin key only).")
public record OperatorOverview(
        @Description("Deliveries not yet final for webhooks that are on (the herald_outbox_backlog gauge); null"
                + " before the gauges' first reading") Long backlog,
        @Description("Deliveries held for webhooks that are off (herald_outbox_held)") Long held,
        @Description("Age of the oldest delivery not yet final, in seconds (herald_outbox_oldest_pending_age_seconds)")
        Double oldestPendingAgeSeconds,
        @Description("How old backlog, held and oldestPendingAgeSeconds are, in seconds (they are read every"
                + " herald.metrics.refresh-interval)") Double backlogReadSecondsAgo,
        @Description("Attempts that succeeded (deliveries delivered) per minute over the last " + OperatorGraphQL.RATE_MINUTES
                + " whole minutes and the current one so far") double deliveredPerMinute,
        @Description("Attempts that failed at a receiver per minute over the same minutes (a failed attempt may be"
                + " retried)") double failedPerMinute) {
}
