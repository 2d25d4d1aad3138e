package dev.herald.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.AttemptResult;
import io.quarkus.runtime.Startup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The delivery metrics of this replica (Prometheus names in the README). No per-webhook or per-URL labels:
 * their number would grow with the tenants.
 */
@ApplicationScoped
@Startup // every series exists, at zero, from the first scrape: rate() and the alerts need that
public class DeliveryMetrics {

    /** Attempt results, as the {@code result} label says them. */
    static final String[] RESULTS = { "success", "http_3xx", "http_4xx", "http_5xx", "timeout", "network", "blocked",
            "unsendable", "internal", "lease_expired" };

    @Inject
    MeterRegistry registry;

    private Counter delivered;
    private Counter failed;
    private Counter ingested;
    private Counter replayed;
    private Counter autoDisabled;
    private Counter setAside;
    private Counter ingestStatements;
    private Timer latency;
    private Timer attemptDuration;
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();

    @PostConstruct
    void register() {
        delivered = Counter.builder("herald.deliveries").tag("outcome", "delivered")
                .description("Deliveries that reached a final state").register(registry);
        failed = Counter.builder("herald.deliveries").tag("outcome", "failed")
                .description("Deliveries that reached a final state").register(registry);
        replayed = Counter.builder("herald.deliveries.replayed")
                .description("FAILED deliveries sent again by replayDelivery or replayFailed").register(registry);
        autoDisabled = Counter.builder("herald.endpoints.auto.disabled")
                .description("Webhooks switched off after only failures for herald.delivery.disable-after")
                .register(registry);
        setAside = Counter.builder("herald.events.set.aside")
                .description("Events set aside by this replica's fan-out because their fan-out failed")
                .register(registry);
        ingestStatements = Counter.builder("herald.ingest.statements")
                .description("Statements that took in POST /v1/events requests without an Idempotency-Key: requests"
                        + " that arrive together share one")
                .register(registry);
        ingested = Counter.builder("herald.ingest.events")
                .description("Events taken from the outbox (REST and producers' INSERTs alike)").register(registry);
        for (String result : RESULTS) {
            attempts.put(result, Counter.builder("herald.delivery.attempts").tag("result", result)
                    .description("HTTP attempts by result").register(registry));
        }
        latency = Timer.builder("herald.delivery.latency")
                .description("From the event's acceptance to the receiver's 2xx")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        attemptDuration = Timer.builder("herald.attempt.duration")
                .description("One HTTP attempt, connect to last byte")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** A statement that takes in a group of ingest requests ran. */
    public void ingestStatement() {
        ingestStatements.increment();
    }

    /** An attempt ended on this replica; a claim given back unsent is no attempt. */
    public void attempted(AttemptResult attempt) {
        if (!attempt.sent()) {
            return;
        }
        attempts.get(result(attempt)).increment();
        if (!attempt.finalAtOnce()) {
            attemptDuration.record(Duration.ofMillis(attempt.durationMs()));
        }
    }

    /** Attempts whose replica stopped answering: their lease ran out and they were taken back. */
    public void leasesExpired(int count) {
        attempts.get("lease_expired").increment(count);
    }

    /** A delivery recorded as DELIVERED, its event accepted at {@code acceptedNanos} ({@link System#nanoTime()}). */
    public void delivered(long acceptedNanos) {
        delivered.increment();
        latency.record(Duration.ofNanos(System.nanoTime() - acceptedNanos));
    }

    public void failed(int count) {
        failed.increment(count);
    }

    public void replayed(int deliveries) {
        replayed.increment(deliveries);
    }

    public void ingested(int events) {
        ingested.increment(events);
    }

    /** One event set aside by fan-out. */
    public void setAside() {
        setAside.increment();
    }

    static String result(AttemptResult attempt) {
        if (attempt.succeeded()) {
            return "success";
        }
        if (attempt.blocked()) {
            return "blocked";
        }
        if (attempt.unsendable()) {
            return "unsendable";
        }
        if (attempt.internalFailure()) {
            return "internal";
        }
        if (attempt.statusCode() != null) {
            int status = attempt.statusCode();
            return status >= 500 ? "http_5xx" : status >= 400 ? "http_4xx" : "http_3xx";
        }
        return "timeout".equals(attempt.error()) ? "timeout" : "network";
    }

    /** A webhook was switched off after only failures for {@code herald.delivery.disable-after}. */
    public void webhookAutoDisabled() {
        autoDisabled.increment();
    }
}
