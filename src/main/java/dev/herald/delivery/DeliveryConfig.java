package dev.herald.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

/** How Herald delivers: the contract with receivers. */
@ConfigMapping(prefix = "herald.delivery")
public interface DeliveryConfig {

    /** Absolute deadline of one attempt, from connect to the last byte of the answer read. */
    @WithDefault("30s")
    Duration timeout();

    /** Waits between attempts after a failure; its length plus one is the number of attempts. */
    @WithDefault("4s,8s,10s")
    List<Duration> retrySchedule();

    /** Attempts in flight at once per webhook, across all replicas. */
    @WithDefault("10")
    int maxInFlightPerEndpoint();

    /** Attempts started per webhook in any 60 s window, across all replicas. */
    @WithDefault("100")
    int maxPerMinutePerEndpoint();

    /**
     * Keep-alive connections per origin (scheme, host, port). Many webhooks may share an origin; with fewer
     * connections than their attempts in flight, a slow endpoint would make its neighbours wait for a
     * connection. Default: as many as a replica runs attempts at once.
     */
    @WithDefault("512")
    int maxConnectionsPerOrigin();

    /**
     * An HTTP proxy every attempt goes through, {@code http://[user:password@]host:port}: a fixed egress that
     * receivers can allow-list ({@link EgressProxy}). None by default.
     */
    Optional<@WithConverter(EgressProxy.Setting.class) EgressProxy> proxy();

    /** Refuse plain-http webhook URLs, at registration and at every attempt. */
    @WithDefault("true")
    boolean requireHttps();

    /**
     * Address ranges (CIDR) Herald may connect to even though they are internal. Empty in production; dev and
     * tests allow loopback.
     */
    Optional<List<String>> allowedNetworks();

    /**
     * A webhook whose attempts have all failed for this long (from the first failure after its last success to its
     * latest failure) is switched off, its reason shown in {@code Webhook.disabledReason}.
     */
    @WithDefault("5d")
    Duration disableAfter();

    /**
     * A run of this many failed attempts in a row (after the webhook's last success) is announced to its owner's
     * operational webhooks as {@code webhook.failing}, once per run; the next success announces
     * {@code webhook.recovered}.
     */
    @WithDefault("5")
    int failingAfter();

    /**
     * How often attempts logged are folded into webhook health ({@code herald_aggregate_health}): health and
     * auto-disable see an attempt at most about this long after it ended.
     */
    @WithDefault("1s")
    Duration healthInterval();

    /** Attempts a delivery gets before it is FAILED: the first and one per retry wait. */
    default int maxAttempts() {
        return retrySchedule().size() + 1;
    }
}
