package dev.herald.tracing;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;

/** W3C trace context headers ({@code traceparent}, version 00), read and written. */
public final class TraceContext {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    private TraceContext() {
    }

    /** The span context a header names; null when it is absent or not a valid version-00 traceparent (ignored). */
    static SpanContext parse(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        var matched = TRACEPARENT.matcher(traceparent.strip());
        if (!matched.matches()) {
            return null;
        }
        SpanContext context = SpanContext.createFromRemoteParent(matched.group(1), matched.group(2),
                TraceFlags.fromHex(matched.group(3), 0), TraceState.getDefault());
        return context.isValid() ? context : null; // all-zero ids are invalid
    }

    static String format(SpanContext context) {
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    /** A child of {@code parent} in the same trace, with a fresh span id: used when no span is recorded. */
    static String child(SpanContext parent) {
        long spanId;
        do {
            spanId = ThreadLocalRandom.current().nextLong();
        } while (spanId == 0);
        return "00-" + parent.getTraceId() + "-" + String.format("%016x", spanId) + "-"
                + parent.getTraceFlags().asHex();
    }
}
