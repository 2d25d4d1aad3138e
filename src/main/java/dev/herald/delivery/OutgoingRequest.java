package dev.herald.delivery;

import java.time.Duration;
import java.util.List;

/**
 * One attempt to make.
 *
 * @param messageId      the {@code webhook-id} header: the same on every attempt of a delivery
 * @param headers        the webhook owner's own headers, sent as they are
 * @param traceparent    the W3C trace context this attempt sends, or null
 * @param leaseEndsNanos on the {@link System#nanoTime()} clock: the request is aborted by then at the latest,
 *                       even within its timeout, because another replica may take the delivery over
 * @param startByNanos   on the same clock: the attempt may not start later than this (it is given back unsent)
 * @param timeout        how long the attempt may take, from its start to the end of the answer
 * @param access         how the receiver is reached: the webhook's own proxy, client certificate, OAuth2 client
 */
public record OutgoingRequest(long webhookId, String url, String messageId, String body, SigningKeys keys,
        List<CustomHeader> headers, String traceparent, long leaseEndsNanos, long startByNanos, Duration timeout,
        ReceiverAccess access) {
}
