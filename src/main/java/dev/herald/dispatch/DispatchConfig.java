package dev.herald.dispatch;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a replica claims and records work. Tuning only: the delivery contract is in {@code herald.delivery}. */
@ConfigMapping(prefix = "herald.dispatch")
public interface DispatchConfig {

    /** Run the dispatcher in this replica. Off, a replica only serves the APIs. */
    @WithDefault("true")
    boolean enabled();

    /** How long a claim is held before another replica may take it over; must exceed the attempt timeout. */
    @WithDefault("60s")
    Duration lease();

    /** The backstop: how often to look for work when no notification came, and to reclaim expired leases. */
    @WithDefault("1s")
    Duration pollInterval();

    /** Attempts this replica runs at once, over all endpoints. */
    @WithDefault("512")
    int maxConcurrentAttempts();

    /**
     * The most of this replica's attempt slots one application may hold, as a fraction: 0.5 leaves the other
     * applications at least half, however many of its receivers hang. 1 lets one application take every slot (a
     * deployment with a single application).
     */
    @WithDefault("0.5")
    double maxApplicationShare();

    /**
     * How soon a claim looks again at an endpoint whose receiving endpoint is full because other webhooks naming it
     * hold its slots (a completion wakes the endpoint that ends an attempt, not the others at its receiver).
     */
    @WithDefault("1s")
    Duration receiverRecheck();

    /**
     * The rate window the per-endpoint start caps count in: 60 s, as {@code max-per-minute-per-endpoint} says. Tests
     * shorten it so that no test waits a real minute.
     */
    @WithDefault("60s")
    Duration rateWindow();

    /** Endpoints one claim statement locks. */
    @WithDefault("100")
    int endpointsPerClaim();

    /** Deliveries one claim takes from one endpoint at most. */
    @WithDefault("10")
    int deliveriesPerEndpoint();

    /** How often this replica vacuums the endpoint table that claims scan (see {@code EndpointVacuum}). */
    @WithDefault("5s")
    Duration endpointVacuumInterval();

    /** Events one fan-out statement takes at most. */
    @WithDefault("500")
    int fanOutBatch();

    /**
     * Deliveries one fan-out statement creates at most: an event on a provider with more webhooks is fanned out
     * over several statements, so no statement holds more endpoint rows than this.
     */
    @WithDefault("1000")
    int fanOutDeliveries();

    /**
     * Events a newcomer's fan-out statement takes at most: when events arrive while a fan-out statement runs (one
     * application's backlog, say), a second, small statement runs beside it at once. It skips the events the running
     * one holds, so another application's new events wait for a statement of this size, not for a whole batch.
     */
    @WithDefault("50")
    int fanOutNewcomerBatch();

    /** Outcomes one completion statement records at most. */
    @WithDefault("500")
    int completionBatch();

    /** How long an outcome may wait for others to share its completion statement. */
    @WithDefault("10ms")
    Duration completionLinger();

    /**
     * A claim, fan-out, reaper or completion round that has run this long is stuck (a frozen database, a lost
     * callback): readiness reports the dispatcher down; liveness does after five times this.
     */
    @WithDefault("60s")
    Duration stallTimeout();

    /**
     * Added to the 60 s rate window when counting starts. A start is charged when its claim commits and the
     * request leaves a little later; the guard keeps any 60 s at the receiver within the cap. A claimed request
     * that could not leave within the guard (a stalled replica) is given back unsent.
     */
    @WithDefault("1s")
    Duration rateWindowGuard();
}
