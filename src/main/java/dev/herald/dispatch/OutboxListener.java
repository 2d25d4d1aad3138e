package dev.herald.dispatch;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * LISTENs on a dedicated connection: {@code herald_outbox} (an event was inserted, by the REST API or by a
 * producer's own transaction) starts a fan-out; {@code herald_dispatch} (another replica fanned out) starts a
 * claim. Reconnects on its own; polling covers the gaps.
 */
final class OutboxListener {

    private static final Logger LOG = Logger.getLogger(OutboxListener.class);

    private final PgSubscriber subscriber;
    private final Dispatcher dispatcher;

    OutboxListener(Vertx vertx, PgConnectOptions options, Dispatcher dispatcher) {
        this.subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1_000L);
        this.dispatcher = dispatcher;
    }

    void start() {
        subscriber.channel("herald_outbox").handler(payload -> dispatcher.outboxChanged());
        subscriber.channel("herald_dispatch").handler(payload -> dispatcher.wake());
        subscriber.connect().onFailure(failure -> LOG.warn("LISTEN connection failed; polling until it is back", failure));
    }

    void stop() {
        subscriber.close();
    }
}
