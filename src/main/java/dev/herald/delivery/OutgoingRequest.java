package dev.herald.delivery;

/**
 * One attempt to make.
 *
 * @param messageId      the {@code webhook-id} header: the same on every attempt of a delivery
 * @param leaseEndsNanos on the {@link System#nanoTime()} clock: the request is aborted by then at the latest,
 *                       even within its timeout, because another replica may take the delivery over
 * @param startByNanos   on the same clock: the attempt may not start later than this (it is given back unsent)
 */
public record OutgoingRequest(long webhookId, String url, String messageId, String body, SigningKeys keys,
        long leaseEndsNanos, long startByNanos) {
}
