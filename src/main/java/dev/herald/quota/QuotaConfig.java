package dev.herald.quota;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * What one application may have and send, by default; the admin sets an application's own figures with
 * {@code setApplicationLimits}. Held in PostgreSQL, so every replica enforces the same figures.
 */
@ConfigMapping(prefix = "herald")
public interface QuotaConfig {

    Tenancy tenancy();

    Ingest ingest();

    interface Tenancy {

        /** Webhooks one application may register; one more is refused, naming this quota. */
        @WithDefault("1000")
        int maxWebhooksPerApplication();

        /**
         * Portal tokens one application may hold in force (minted, neither expired nor revoked); minting one more is
         * refused, naming this quota.
         */
        @WithDefault("1000")
        int maxPortalTokensPerApplication();
    }

    interface Ingest {

        /** Events one {@code POST /v1/events} may carry; more are refused with 413. */
        @WithDefault("1000")
        int maxEventsPerRequest();

        /**
         * Events one application may send a second, across all replicas: a bucket of this many events, refilled
         * continuously. A request that finds too few is answered 429 with {@code Retry-After}; a request larger than
         * the bucket can never pass and is refused with 413.
         */
        @WithDefault("1000")
        int maxEventsPerSecondPerApplication();
    }
}
