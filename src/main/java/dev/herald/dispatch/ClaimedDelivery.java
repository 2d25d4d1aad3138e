package dev.herald.dispatch;

import dev.herald.delivery.AttemptSettings;
import dev.herald.webhook.SealedAccess;

/**
 * A delivery this replica holds: it may attempt it once and record the outcome under {@code claimToken}.
 *
 * @param applicationId  whose delivery it is: its attempt holds one of that application's slots here
 * @param attemptNumber  the number of this attempt (1 for the first)
 * @param attemptLimit   the attempt after which a failure is final
 * @param secret         the webhook's signing secret as stored (encrypted)
 * @param previousSecret the secret it replaced, while the rotation grace lasts (encrypted); else null
 * @param legacyHeader   the header of the opt-in legacy signature, or null
 * @param headers        the webhook's own request headers as stored (encrypted), or null
 * @param traceparent    its event's W3C trace context, or null
 * @param acceptedNanos  when its event was accepted, on this replica's monotonic clock ({@link System#nanoTime()}):
 *                       the event's age by the database's clock, taken back from when the claim answered
 * @param leaseEndsNanos on this replica's monotonic clock ({@link System#nanoTime()}), a moment no later than the
 *                       end of the claim's lease: no request of this claim may run past it, since another
 *                       replica may take the delivery over then
 * @param startByNanos   on the same clock, the latest moment the attempt may start: the endpoint's rate window
 *                       was charged when the claim committed, and a request sent much later (the replica stalled
 *                       in between) would make the receiver count more than the cap in some 60 s
 * @param settings       its webhook's retry schedule, jitter and timeout (its own, or the deployment's)
 * @param access         how its webhook's receiver is reached (proxy, client certificate, OAuth2), as stored
 */
public record ClaimedDelivery(long id, long webhookId, int applicationId, long eventId, int attemptNumber,
        int attemptLimit,
        long claimToken, String url, String payload, long acceptedNanos, String secret, String previousSecret,
        String legacyHeader, String headers, String traceparent, long leaseEndsNanos, long startByNanos,
        AttemptSettings settings, SealedAccess access) {

    /** Its webhook, as stored. */
    StoredEndpoint endpoint() {
        return new StoredEndpoint(webhookId, url, secret, previousSecret, legacyHeader, headers, settings.timeout(),
                access);
    }

    /** The {@code webhook-id} header: one per delivery, the same on every attempt. */
    public String messageId() {
        return "msg_" + id;
    }
}
