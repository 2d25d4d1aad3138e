package dev.herald.testevent;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.delivery.AttemptResult;

@Type("TestDelivery")
@Description("How the receiver answered a test event (sendTestEvent). It is in no delivery history.")
public record TestDelivery(
        @Description("The receiver's HTTP status; null when it did not answer") Integer statusCode,
        @Description("From the start of the attempt to the last byte of the answer read") int durationMs,
        @Description("Why the attempt failed (as in the attempt log: http_500, timeout, network: ..., blocked: ...);"
                + " null on a 2xx") String error,
        @Description("The first 1024 characters of the answer") String responseExcerpt) {

    static TestDelivery of(AttemptResult result) {
        return new TestDelivery(result.statusCode(), result.durationMs(), result.error(), result.responseExcerpt());
    }
}
