package dev.herald.dispatch;

import java.time.Instant;

/**
 * A delivery this replica holds: it may attempt it once and record the outcome under {@code claimToken}.
 *
 * @param attemptNumber the number of this attempt (1 for the first)
 * @param attemptLimit  the attempt after which a failure is final
 * @param secrets       the webhook's signing secrets as stored (encrypted): current, previous while in grace
 * @param legacyHeader  the header of the opt-in legacy signature, or null
 */
public record ClaimedDelivery(long id, long webhookId, long eventId, int attemptNumber, int attemptLimit,
        long claimToken, String url, String payload, Instant acceptedAt, String secret, String previousSecret,
        String legacyHeader) {

    /** The {@code webhook-id} header: one per delivery, the same on every attempt. */
    public String messageId() {
        return "msg_" + id;
    }
}
