package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when this replica's dispatcher loop runs (or is switched off on purpose); the database check is Quarkus's. */
@Readiness
@ApplicationScoped
public class DispatcherReadiness implements HealthCheck {

    @Inject
    Dispatchers dispatchers;

    @Override
    public HealthCheckResponse call() {
        Dispatcher local = dispatchers.local();
        if (local == null) {
            return HealthCheckResponse.named("dispatcher").up().withData("state", "disabled").build();
        }
        return HealthCheckResponse.named("dispatcher").status(local.alive())
                .withData("attemptsInFlight", local.attemptsInFlight()).build();
    }
}
