package dev.herald.ingest;

import java.time.Duration;

import jakarta.validation.constraints.Min;

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

    /**
     * Statements taking in requests without an {@code Idempotency-Key} that one replica runs at once; requests that
     * arrive while they all run share the next one and its commit ({@link IngestGroups}). One is the fastest: the
     * statements of one application wait for each other's commit (its allowance row), so a second one only splits
     * the groups (bench/run ingest).
     */
    @WithDefault("1")
    @Min(1)
    int groupStatements();
}
