package dev.herald.dispatch;

import java.time.Duration;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import dev.herald.delivery.AttemptSettings;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.delivery.WebhookSender;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.tracing.Tracing;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;

/**
 * Starts this replica's {@link Dispatcher} once the schema is ready, wires it to PostgreSQL notifications, and
 * drains it on shutdown (SIGTERM): no new claims, every attempt in flight finished and recorded.
 */
@ApplicationScoped
public class Dispatchers {

    private static final Logger LOG = Logger.getLogger(Dispatchers.class);

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    Claimer claimer;

    @Inject
    FanOut fanOut;

    @Inject
    LeaseReaper reaper;

    @Inject
    EndpointVacuum endpointVacuum;

    @Inject
    WebhookSender sender;

    @Inject
    UnreadableSecrets unreadable;

    @Inject
    OutgoingRequests requests;

    @Inject
    Tracing tracing;

    @Inject
    DeliveryMetrics metrics;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DispatchConfig dispatch;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    private volatile Dispatcher local;
    private OutboxListener listener;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 10) StartupEvent event) {
        if (dispatch.lease().compareTo(delivery.timeout()) <= 0) {
            throw new IllegalStateException("herald.dispatch.lease (" + dispatch.lease()
                    + ") must be longer than herald.delivery.timeout (" + delivery.timeout() + ")");
        }
        if (!dispatch.enabled()) {
            LOG.info("Dispatcher disabled (herald.dispatch.enabled=false): this replica serves the APIs only");
            return;
        }
        local = newDispatcher();
        listener = new OutboxListener(vertx, connectOptions(), local);
        listener.start();
        local.start();
        endpointVacuum.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (local != null) {
            endpointVacuum.stop();
            listener.stop();
            // the longest an attempt may run: the deployment's timeout, or a webhook's own (which its lease cuts)
            Duration longest = max(delivery.timeout(), min(AttemptSettings.MAX_OWN_TIMEOUT, dispatch.lease()));
            local.drain(longest.plus(Duration.ofSeconds(5)));
        }
    }

    /** A further dispatcher on this database, as another replica would run (tests and benchmarks). */
    public Dispatcher newDispatcher() {
        return new Dispatcher(vertx, pool, claimer, fanOut, reaper, sender, requests, tracing, unreadable, metrics,
                dispatch);
    }

    /** This replica's dispatcher; null when disabled. */
    public Dispatcher local() {
        return local;
    }

    private PgConnectOptions connectOptions() {
        String uri = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        PgConnectOptions options = PgConnectOptions.fromUri(uri);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        // its own name in the SQL client metrics (the pool's series use the default one) and in pg_stat_activity
        options.setMetricsName("herald-listener");
        options.addProperty("application_name", "herald-listener");
        return options;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
