package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;

import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

/**
 * SmallRye Fault Tolerance around each attempt: the absolute deadline, and a per-endpoint bulkhead as a local
 * second line behind the cluster-wide in-flight cap that the database holds. Durable retries and the rate cap
 * are not here: they live in PostgreSQL.
 *
 * <p>A guard is made when an endpoint is first attempted and forgotten once the endpoint has been idle for
 * longer than {@link #IDLE_AFTER_TIMEOUT} past the attempt timeout: by then no attempt can be running in it, so
 * a fresh guard is the same as the old one, and webhooks deleted or gone quiet do not hold memory.
 */
@ApplicationScoped
public class EndpointGuards {

    private static final TypeLiteral<Uni<AttemptResult>> ATTEMPT = new TypeLiteral<>() {
    };
    /** Idle time, beyond the attempt timeout, after which an endpoint's guard is forgotten. */
    static final Duration IDLE_AFTER_TIMEOUT = Duration.ofMinutes(1);

    @Inject
    DeliveryConfig config;

    @Inject
    WebhookSender sender;

    @Inject
    Vertx vertx;

    private final Map<Long, Entry> guards = new ConcurrentHashMap<>();
    private long sweepTimer = -1;

    @PostConstruct
    void startSweeping() {
        sweepTimer = vertx.setPeriodic(IDLE_AFTER_TIMEOUT.toMillis(), id -> forgetIdle(System.nanoTime()));
    }

    @PreDestroy
    void stopSweeping() {
        vertx.cancelTimer(sweepTimer);
    }

    /** The attempt, failed fast with {@code error} set when the deadline passes or the bulkhead is full. */
    public Uni<AttemptResult> attempt(OutgoingRequest request) {
        long startedNanos = System.nanoTime();
        // compute, not computeIfAbsent: the start is recorded atomically with the sweep's look at this key
        Entry entry = guards.compute(request.webhookId(), (id, known) -> {
            Entry used = known != null ? known : new Entry(newGuard(id));
            used.lastStartNanos = startedNanos;
            return used;
        });
        Instant attemptedAt = Instant.now();
        return entry.guard.get(() -> sender.send(request), ATTEMPT)
                .onFailure().recoverWithItem(failure -> new AttemptResult(attemptedAt,
                        (int) ((System.nanoTime() - startedNanos) / 1_000_000), null, guardError(failure), null));
    }

    /** Forgets the guards of endpoints whose last attempt started long enough before {@code nowNanos}. */
    void forgetIdle(long nowNanos) {
        long idleNanos = config.timeout().plus(IDLE_AFTER_TIMEOUT).toNanos();
        for (Long webhookId : guards.keySet()) {
            guards.computeIfPresent(webhookId, (id, entry) -> nowNanos - entry.lastStartNanos > idleNanos ? null : entry);
        }
    }

    /** Endpoints this replica holds a guard for. */
    int guarded() {
        return guards.size();
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

    private static final class Entry {

        final Guard guard;
        long lastStartNanos; // written and read under the map's lock for its key

        Entry(Guard guard) {
            this.guard = guard;
        }
    }
}
