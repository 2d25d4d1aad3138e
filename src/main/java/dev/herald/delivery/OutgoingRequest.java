package dev.herald.delivery;

/**
 * One attempt to make.
 *
 * @param messageId the {@code webhook-id} header: the same on every attempt of a delivery
 */
public record OutgoingRequest(long webhookId, String url, String messageId, String body, SigningKeys keys) {
}
