package dev.herald.dispatch;

import org.jboss.logging.Logger;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.OutgoingRequest;
import dev.herald.delivery.WebhookSender;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.tracing.Tracing;
import dev.herald.webhook.UnreadableSecret;
import io.smallrye.mutiny.Uni;

/**
 * One claimed delivery's path, in named stages: {@link #prepare} (its keys, headers and body:
 * {@link OutgoingRequests}) → {@link #send} (sign, POST, under one deadline: {@link WebhookSender}) →
 * {@link #decide} (delivered, retried when, or failed: {@link Outcome}) → {@link #record} (queued for the
 * {@link Completer}). Whatever fails in a stage becomes that delivery's outcome; nothing one delivery does can stop
 * another.
 */
final class DeliveryPath {

    private static final Logger LOG = Logger.getLogger(DeliveryPath.class);

    private final OutgoingRequests requests;
    private final WebhookSender sender;
    private final Completer completer;
    private final Tracing tracing;
    private final UnreadableSecrets unreadable;
    private final DeliveryMetrics metrics;

    DeliveryPath(OutgoingRequests requests, WebhookSender sender, Completer completer, Tracing tracing,
            UnreadableSecrets unreadable, DeliveryMetrics metrics) {
        this.requests = requests;
        this.sender = sender;
        this.completer = completer;
        this.tracing = tracing;
        this.unreadable = unreadable;
        this.metrics = metrics;
    }

    /** Takes the delivery through every stage; never throws, and runs {@code finally} once its outcome is queued. */
    void run(ClaimedDelivery claimed, Runnable andFinally) {
        Tracing.AttemptSpan span = tracing.attempt(claimed.traceparent(), claimed.id(), claimed.webhookId(),
                claimed.attemptNumber());
        send(claimed, span.traceparent()).subscribe().with(result -> {
            span.end(result);
            try {
                record(decide(claimed, result));
            } catch (RuntimeException unexpected) {
                LOG.errorf(unexpected, "The outcome of delivery %d could not be queued; its lease expires and it is"
                        + " attempted again", claimed.id());
            } finally {
                andFinally.run();
            }
        });
    }

    /** The request to send; throws when there is none (its secret is unreadable, its event gone). */
    private OutgoingRequest prepare(ClaimedDelivery claimed, String traceparent) {
        return requests.prepare(claimed, traceparent);
    }

    /** The attempt's result: what the receiver answered, or why nothing could be sent. Never fails. */
    private Uni<AttemptResult> send(ClaimedDelivery claimed, String traceparent) {
        OutgoingRequest request;
        try {
            request = prepare(claimed, traceparent);
        } catch (UnreadableSecret secret) {
            // a secret or the headers: logged once per webhook and what is stored
            unreadable.current(claimed.webhookId(), claimed.secret() + "|" + claimed.headers(), secret);
            return Uni.createFrom().item(AttemptResult.unsendable(secret.getMessage()));
        } catch (OutgoingRequests.EventGone gone) {
            return Uni.createFrom().item(AttemptResult.unsendable(gone.getMessage()));
        } catch (RuntimeException unexpected) {
            return Uni.createFrom().item(unexpected(claimed, unexpected));
        }
        return sender.send(request).onFailure().recoverWithItem(failure -> unexpected(claimed, failure));
    }

    private Outcome decide(ClaimedDelivery claimed, AttemptResult result) {
        metrics.attempted(result);
        return Outcome.of(claimed, result);
    }

    private void record(Outcome outcome) {
        completer.submit(outcome);
    }

    /** A failure nobody foresaw (a bug), as the attempt's outcome: retried on the schedule, like a network error. */
    private static AttemptResult unexpected(ClaimedDelivery claimed, Throwable failure) {
        LOG.errorf(failure, "Attempting delivery %d failed unexpectedly; it is retried", claimed.id());
        return AttemptResult.internal(failure.getClass().getSimpleName());
    }
}
