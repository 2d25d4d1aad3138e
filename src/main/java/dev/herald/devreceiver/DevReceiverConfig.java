package dev.herald.devreceiver;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The echo receiver that dev mode offers to try Herald against. */
@ConfigMapping(prefix = "herald.dev-receiver")
public interface DevReceiverConfig {

    /** Serve {@code /dev/echo}. On in dev and test, off in prod. */
    @WithDefault("false")
    boolean enabled();

    /** How many received requests it keeps, newest first. */
    @WithDefault("20")
    int keep();
}
