package dev.herald.tracing;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.herald.delivery.AttemptResult;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Herald's spans and the trace context it carries. An event's {@code traceparent} (from ingest, or written by a
 * producer's INSERT) is the parent of every attempt of its deliveries, and each attempt sends a {@code traceparent}
 * of the same trace. Spans are recorded and exported only when the OpenTelemetry SDK is switched on
 * ({@code quarkus.otel.sdk.disabled=false} and an OTLP endpoint); the trace context is carried either way.
 */
@ApplicationScoped
public class Tracing {

    private static final AttributeKey<Long> DELIVERY = AttributeKey.longKey("herald.delivery.id");
    private static final AttributeKey<Long> WEBHOOK = AttributeKey.longKey("herald.webhook.id");
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("herald.attempt.number");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<Long> EVENTS = AttributeKey.longKey("herald.fan_out.events");
    private static final AttributeKey<Long> DELIVERIES = AttributeKey.longKey("herald.fan_out.deliveries");

    @Inject
    Tracer tracer;

    /** Off: no span is made at all (Quarkus's tracer would still make spans that nobody exports). */
    @ConfigProperty(name = "quarkus.otel.sdk.disabled")
    boolean disabled;

    /**
     * What an event stores as its trace context: the ingest request's span when one is recorded (its parent is the
     * producer's {@code traceparent}), else the producer's header when it is valid; null for none.
     */
    public String forEvent(String incomingTraceparent) {
        SpanContext current = Span.current().getSpanContext();
        if (!disabled && current.isValid()) {
            return TraceContext.format(current);
        }
        SpanContext incoming = TraceContext.parse(incomingTraceparent);
        return incoming == null ? null : TraceContext.format(incoming);
    }

    /** Starts the span of one attempt, a child of its event's trace context when it has one. */
    public AttemptSpan attempt(String eventTraceparent, long deliveryId, long webhookId, int attemptNumber) {
        SpanContext parent = TraceContext.parse(eventTraceparent);
        if (disabled) {
            return new AttemptSpan(Span.getInvalid(), parent == null ? null : TraceContext.child(parent));
        }
        Context context = parent == null ? Context.root() : Context.root().with(Span.wrap(parent));
        Span span = tracer.spanBuilder("herald attempt").setParent(context).setSpanKind(SpanKind.CLIENT)
                .setAttribute(DELIVERY, deliveryId).setAttribute(WEBHOOK, webhookId)
                .setAttribute(ATTEMPT, (long) attemptNumber).startSpan();
        String sent = span.getSpanContext().isValid() ? TraceContext.format(span.getSpanContext())
                : parent == null ? null : TraceContext.child(parent);
        return new AttemptSpan(span, sent);
    }

    /** The span of one fan-out statement that did something (idle polls make none). */
    public void fanOut(Instant started, int events, int deliveries) {
        if (disabled || (events == 0 && deliveries == 0)) {
            return;
        }
        tracer.spanBuilder("herald fan-out").setNoParent().setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(started).startSpan()
                .setAttribute(EVENTS, (long) events).setAttribute(DELIVERIES, (long) deliveries).end();
    }

    /**
     * One attempt's span and the {@code traceparent} its request carries (null when its event had no trace context
     * and no span is recorded).
     */
    public record AttemptSpan(Span span, String traceparent) {

        public void end(AttemptResult result) {
            if (result.statusCode() != null) {
                span.setAttribute(STATUS, (long) result.statusCode());
            }
            if (result.error() != null) {
                span.setStatus(StatusCode.ERROR, result.error());
            }
            span.end();
        }
    }
}
