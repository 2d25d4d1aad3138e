package dev.herald.dispatch;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Whether this replica's dispatcher makes progress (up when it is switched off on purpose). Readiness is down once
 * its loop stopped, its timer no longer fires, or a claim, fan-out, reaper or completion round has been stuck for
 * {@code herald.dispatch.stall-timeout}; liveness only after five times that, so that a database that stalls for a
 * minute does not make an orchestrator restart every replica (which would not help), while a loop wedged for good
 * is restarted. The database check of readiness is Quarkus's.
 */
abstract class DispatcherHealth implements HealthCheck {

    @Inject
    Dispatchers dispatchers;

    @Inject
    DispatchConfig dispatch;

    abstract Duration stallBound();

    @Override
    public HealthCheckResponse call() {
        Dispatcher local = dispatchers.local();
        if (local == null) {
            return HealthCheckResponse.named("dispatcher").up().withData("state", "disabled").build();
        }
        String stalled = local.stalled(stallBound());
        var response = HealthCheckResponse.named("dispatcher").status(stalled == null)
                .withData("attemptsInFlight", local.attemptsInFlight());
        return stalled == null ? response.build() : response.withData("stalled", stalled).build();
    }

    @Readiness
    @ApplicationScoped
    static class Ready extends DispatcherHealth {

        @Override
        Duration stallBound() {
            return dispatch.stallTimeout();
        }
    }

    @Liveness
    @ApplicationScoped
    static class Live extends DispatcherHealth {

        @Override
        Duration stallBound() {
            return dispatch.stallTimeout().multipliedBy(5);
        }
    }
}
