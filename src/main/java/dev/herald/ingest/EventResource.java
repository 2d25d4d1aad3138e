package dev.herald.ingest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code POST /v1/events}: one notification object or an array of them, into the outbox. Any body is read here
 * (no {@code @Consumes}), so that a missing or wrong {@code Content-Type} is answered with a message naming it
 * ({@link JsonContentType}), not an empty 415.
 */
@Path("/v1/events")
public class EventResource {

    /** The answer: the ids Herald gave the accepted events, in the order they were sent. */
    @RegisterForReflection // serialised by Jackson, also in the native image
    public record Accepted(List<Long> eventIds) {
    }

    @Inject
    CallerResolver callers;

    @Inject
    IngestService ingest;

    @Inject
    Tracing tracing;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Accepted>> accept(byte[] body, @Context HttpServerRequest request) {
        String traceContext = tracing.forEvent(request.getHeader("traceparent")); // read here, where the span is current
        String idempotencyKey = request.getHeader("Idempotency-Key");
        return callers.of(request)
                .map(Caller::requireApplication)
                .invoke(() -> {
                    JsonContentType.require(request.getHeader("Content-Type"));
                    IngestService.checkKey(idempotencyKey);
                })
                .chain(applicationId -> ingest.accept(applicationId, ingest.parse(body), idempotencyKey, body,
                        traceContext))
                .map(ids -> RestResponse.status(RestResponse.Status.ACCEPTED, new Accepted(ids)));
    }
}
