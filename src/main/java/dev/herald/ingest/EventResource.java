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

import dev.herald.api.NotFound;
import dev.herald.eventtype.EventTypeCatalogue;
import dev.herald.eventtype.EventTypeNames;
import dev.herald.quota.Allowance;
import dev.herald.quota.IngestAllowance;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/events}: one notification object or an array of them, into the outbox. Any body is read here
 * (no {@code @Consumes}), so that a missing or wrong {@code Content-Type} is answered with a message naming it
 * ({@link JsonContentType}), not an empty 415. Every answer carries the {@code RateLimit-*} headers of the
 * application's ingest allowance ({@link IngestAllowance}); an answer to a client without a valid key, those of its
 * failed authentications. A {@code Herald-Event-Type} header tags every event of the request with a type of the
 * application's catalogue, whose schema they must then satisfy ({@link EventTypeCatalogue}); the payloads stay
 * byte for byte as sent.
 */
@Path("/v1/events")
public class EventResource {

    /** Where the request's allowance is kept for its answer's headers (a routing-context key). */
    static final String ALLOWANCE = "herald.allowance";

    /** The answer: the ids Herald gave the accepted events, in the order they were sent. */
    @RegisterForReflection // serialised by Jackson, also in the native image
    public record Accepted(List<Long> eventIds) {
    }

    @Inject
    CallerResolver callers;

    @Inject
    IngestService ingest;

    @Inject
    IngestGroups groups;

    @Inject
    IngestAllowance allowances;

    @Inject
    Tracing tracing;

    @Inject
    EventTypeCatalogue eventTypes;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Accepted>> accept(byte[] body, @Context RoutingContext context) {
        var request = context.request();
        String traceContext = tracing.forEvent(request.getHeader("traceparent")); // read here, where the span is current
        String idempotencyKey = request.getHeader("Idempotency-Key");
        String eventType = request.getHeader(EventTypeCatalogue.IngestHeader.EVENT_TYPE);
        // without an idempotency key, the group statement checks the key again (IngestGroups), and a request too
        // large for a group looks it up again (alone)
        return (idempotencyKey == null ? callers.ofRecentlySeen(request) : callers.of(request))
                .map(Caller::requireApplication)
                .chain(applicationId -> Uni.createFrom().item(() -> {
                    JsonContentType.require(request.getHeader("Content-Type"));
                    IngestService.checkKey(idempotencyKey);
                    if (eventType != null) {
                        EventTypeNames.check(EventTypeCatalogue.IngestHeader.EVENT_TYPE, eventType);
                    }
                    return ingest.parse(body);
                })
                        // typed events go alone: their check runs after their allowance is taken, before they
                        // are written
                        .chain(events -> idempotencyKey == null && eventType == null && IngestGroups.fits(events)
                                ? grouped(applicationId, events, traceContext, context)
                                : alone(applicationId, events, idempotencyKey, body, traceContext, eventType,
                                        context))
                        .onFailure().call(failure -> context.get(ALLOWANCE) != null ? Uni.createFrom().voidItem()
                                : allowances.take(applicationId, 0).invoke(allowance -> context.put(ALLOWANCE, allowance))
                                        .onFailure().recoverWithNull().replaceWithVoid()))
                .map(ids -> RestResponse.status(RestResponse.Status.ACCEPTED, new Accepted(ids)));
    }

    /** A request without an idempotency key: taken in with whatever other requests arrive meanwhile. */
    private Uni<List<Long>> grouped(int applicationId, List<IncomingEvent> events, String traceContext,
            RoutingContext context) {
        return groups.take(applicationId, CallerResolver.presentedKeyHash(context.request()), events, traceContext)
                .invoke(taken -> context.put(ALLOWANCE, taken.allowance()))
                .map(taken -> {
                    taken.allowance().require();
                    if (taken.unownedEvent() != null) {
                        IncomingEvent unowned = events.get(taken.unownedEvent() - 1);
                        throw new NotFound(unowned.field(), "provider", unowned.providerId());
                    }
                    return taken.eventIds();
                });
    }

    /**
     * A request with an idempotency key, with an event type, or too large for a group: its allowance in a short
     * statement of its own (its bucket is never held while its events are written), then its type's check, then its
     * events, once per key.
     */
    private Uni<List<Long>> alone(int applicationId, List<IncomingEvent> events, String idempotencyKey, byte[] body,
            String traceContext, String eventType, RoutingContext context) {
        Uni<Void> keyStillValid = idempotencyKey != null ? Uni.createFrom().voidItem()
                : callers.of(context.request()).replaceWithVoid(); // it passed as one seen lately
        return keyStillValid.chain(() -> allowances.take(applicationId, events.size()))
                .invoke(allowance -> context.put(ALLOWANCE, allowance))
                .invoke(Allowance::require)
                .call(() -> eventType == null ? Uni.createFrom().voidItem()
                        : eventTypes.check(applicationId, eventType,
                                events.stream().map(IncomingEvent::position).toList(),
                                events.stream().map(IncomingEvent::json).toList()))
                .chain(() -> ingest.accept(applicationId, events, idempotencyKey, body, traceContext, eventType));
    }
}
