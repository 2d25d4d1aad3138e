package dev.herald.ingest;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.tracing.Tracing;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;

/** {@code POST /v1/events}: one notification object or an array of them, into the outbox. */
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
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Accepted>> accept(byte[] body, @HeaderParam("x-api-key") String apiKey,
            @HeaderParam("Authorization") String authorization,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @HeaderParam("traceparent") String traceparent) {
        String traceContext = tracing.forEvent(traceparent); // read here, where the request's span is current
        return callers.resolve(apiKey, authorization)
                .map(Caller::requireApplication)
                .invoke(() -> IngestService.checkKey(idempotencyKey))
                .chain(applicationId -> ingest.accept(applicationId, ingest.parse(body), idempotencyKey, body,
                        traceContext))
                .map(ids -> RestResponse.status(RestResponse.Status.ACCEPTED, new Accepted(ids)));
    }
}
