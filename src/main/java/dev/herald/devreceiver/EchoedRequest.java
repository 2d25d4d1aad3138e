package dev.herald.devreceiver;

/**
 * One request the echo receiver took.
 *
 * @param receivedAt     when it arrived, ISO-8601 UTC
 * @param webhookId      its {@code webhook-id} header: the message id, the same on every attempt of a delivery
 * @param timestamp      its {@code webhook-timestamp} header
 * @param signatureValid whether its {@code webhook-signature} verifies with the secret of a webhook registered at
 *                       this URL
 * @param body           the body as received
 */
public record EchoedRequest(String receivedAt, String webhookId, String timestamp, boolean signatureValid,
        String body) {
}
