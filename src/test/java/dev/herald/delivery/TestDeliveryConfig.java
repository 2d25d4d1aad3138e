package dev.herald.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A {@link DeliveryConfig} for unit tests: defaults, with the allowed networks given. */
record TestDeliveryConfig(List<String> allowed) implements DeliveryConfig {

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    public List<Duration> retrySchedule() {
        return List.of(Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(10));
    }

    @Override
    public int maxInFlightPerEndpoint() {
        return 10;
    }

    @Override
    public int maxPerMinutePerEndpoint() {
        return 100;
    }

    @Override
    public Duration disableAfter() {
        return Duration.ofDays(5);
    }

    @Override
    public int failingAfter() {
        return 5;
    }

    @Override
    public Duration healthInterval() {
        return Duration.ofSeconds(1);
    }

    @Override
    public int maxConnectionsPerOrigin() {
        return 512;
    }

    @Override
    public boolean requireHttps() {
        return true;
    }

    @Override
    public Optional<List<String>> allowedNetworks() {
        return Optional.of(allowed);
    }

    @Override
    public Optional<EgressProxy> proxy() {
        return Optional.empty();
    }
}
