package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Up while this replica's dispatcher makes progress (or is switched off on purpose): down when its loop stopped,
 * its timer no longer fires, or a claim, fan-out or completion round has been stuck longer than
 * {@code herald.dispatch.stall-timeout}. The same check serves readiness and liveness; the database check is
 * Quarkus's.
 */
@Readiness
@Liveness
@ApplicationScoped
public class DispatcherHealth implements HealthCheck {

    @Inject
    Dispatchers dispatchers;

    @Override
    public HealthCheckResponse call() {
        Dispatcher local = dispatchers.local();
        if (local == null) {
            return HealthCheckResponse.named("dispatcher").up().withData("state", "disabled").build();
        }
        String stalled = local.stalled();
        var response = HealthCheckResponse.named("dispatcher").status(stalled == null)
                .withData("attemptsInFlight", local.attemptsInFlight());
        return stalled == null ? response.build() : response.withData("stalled", stalled).build();
    }
}
