package dev.herald.delivery;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;

/**
 * SmallRye Fault Tolerance around each attempt: the absolute deadline, and a per-endpoint bulkhead as a local
 * second line behind the cluster-wide in-flight cap that the database holds. Durable retries and the rate cap
 * are not here: they live in PostgreSQL.
 */
@ApplicationScoped
public class EndpointGuards {

    private static final TypeLiteral<Uni<AttemptResult>> ATTEMPT = new TypeLiteral<>() {
    };

    @Inject
    DeliveryConfig config;

    @Inject
    WebhookSender sender;

    private final Map<Long, Guard> guards = new ConcurrentHashMap<>();

    /** The attempt, failed fast with {@code error} set when the deadline passes or the bulkhead is full. */
    public Uni<AttemptResult> attempt(OutgoingRequest request) {
        Guard guard = guards.computeIfAbsent(request.webhookId(), this::newGuard);
        long startedNanos = System.nanoTime();
        Instant attemptedAt = Instant.now();
        return guard.get(() -> sender.send(request), ATTEMPT)
                .onFailure().recoverWithItem(failure -> new AttemptResult(attemptedAt,
                        (int) ((System.nanoTime() - startedNanos) / 1_000_000), null, guardError(failure), null));
    }

    private Guard newGuard(long webhookId) {
        return Guard.create()
                .withDescription("webhook " + webhookId)
                .withTimeout().duration(config.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withBulkhead().limit(config.maxInFlightPerEndpoint()).queueSize(config.maxInFlightPerEndpoint()).done()
                .build();
    }

    private static String guardError(Throwable failure) {
        if (failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException) {
            return "timeout";
        }
        if (failure instanceof org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException) {
            return "bulkhead: this replica already has the in-flight cap of attempts open to this endpoint";
        }
        return WebhookSender.classify(failure);
    }
}
