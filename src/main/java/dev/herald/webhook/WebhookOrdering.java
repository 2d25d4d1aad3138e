package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Enum;

/** Whether a webhook keeps the order of a notification's events (stored as webhook.ordering). */
@Enum("WebhookOrdering")
@Description("UNORDERED: deliveries go as they can. BY_NOTIFICATION: the deliveries of one notification (the payload's"
        + " id) go one at a time, in the order their events were accepted; a later one waits until the earlier one has"
        + " ended (DELIVERED or FAILED)")
public enum WebhookOrdering {
    UNORDERED,
    BY_NOTIFICATION;

    /** As stored: 0 or 1. */
    short stored() {
        return (short) ordinal();
    }

    static WebhookOrdering of(int stored) {
        return values()[stored];
    }
}
