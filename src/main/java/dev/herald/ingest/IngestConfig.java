package dev.herald.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.ingest")
public interface IngestConfig {

    /** Largest event accepted, in bytes of its JSON; larger ones are refused with 413. */
    @WithDefault("262144")
    int maxEventSize();
}
