package dev.herald.tenancy;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Who may call Herald. */
@ConfigMapping(prefix = "herald")
public interface TenancyConfig {

    /**
     * The key that manages applications ({@code HERALD_ADMIN_KEY}; a Kubernetes Secret in production). Unset
     * means no admin operations are possible.
     */
    Optional<String> adminKey();

    /** How authentication is guarded. */
    Tenancy tenancy();

    interface Tenancy {

        /**
         * Failed authentications (unknown keys) one client address may make in a minute; after that every
         * authentication from it is answered 429 until the minute ends. Per replica.
         */
        @WithDefault("30")
        int maxFailedAuthenticationsPerMinute();
    }

    /** A ready-made application for dev mode, so the OsmoX documentation's curl works as written. */
    DemoTenant demoTenant();

    interface DemoTenant {

        /** Create the demo application at startup when it is missing. On in dev and test, off in prod. */
        @WithDefault("false")
        boolean enabled();

        /** Its API key: the one in the OsmoX documentation. */
        @WithDefault("OsmoX-test-key")
        String apiKey();

        /** Its provider's id: the one in the OsmoX documentation. */
        @WithDefault("10")
        int providerId();
    }
}
