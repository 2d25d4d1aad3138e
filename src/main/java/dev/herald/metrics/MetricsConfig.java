package dev.herald.metrics;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.metrics")
public interface MetricsConfig {

    /** How often the gauges that read the database (backlog, oldest pending, endpoints) are refreshed. */
    @WithDefault("10s")
    Duration refreshInterval();
}
