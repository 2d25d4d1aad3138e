package dev.herald.ingest;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.ingest")
public interface IngestConfig {

    /** Largest event accepted, in bytes of its JSON; larger ones are refused with 413. */
    @WithDefault("262144")
    int maxEventSize();

    /**
     * How long an {@code Idempotency-Key} is remembered at least: a repeat within it stores nothing and answers the
     * first request's event ids. Expired keys are deleted a minute or so later.
     */
    @WithDefault("24h")
    Duration idempotencyWindow();
}
