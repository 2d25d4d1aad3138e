package dev.herald.attempt;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("Attempt")
@Description("One HTTP try of a delivery.")
public record AttemptView(
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant attemptedAt,
        int durationMs,
        @Description("The answer's status; null when there was none") Integer statusCode,
        @Description("null on success; else http_<code>, timeout, network: <reason>, blocked: <reason>, unsendable: <reason>,"
                + " internal: <exception> or lease expired") String error,
        @Description("The first characters of the answer") String responseExcerpt) {
}
