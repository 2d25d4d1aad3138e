package dev.herald.attempt;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/**
 * One page of the attempt log. {@code totalCount} is counted up to {@link AttemptLog#COUNT_CAP} and no further:
 * counting millions of rows for every page would cost more than the page.
 */
@Type("DeliveryPage")
public record DeliveryPage(
        @Description("Deliveries matching the filters, counted up to 1,000 (see totalCountCapped)") int totalCount,
        @Description("True when more than 1,000 match: totalCount is then 1,000") boolean totalCountCapped,
        @Description("Pass as `after` for the next page; null when this page is the last") String nextCursor,
        @NonNull List<@NonNull DeliveryView> items) {
}
