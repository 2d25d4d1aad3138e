package dev.herald.dispatch;

import org.eclipse.microprofile.graphql.Enum;

/** The states of a delivery, as stored in {@code delivery.status} (by ordinal) and shown by GraphQL. */
@Enum("DeliveryStatus")
public enum DeliveryState {
    PENDING, IN_FLIGHT, DELIVERED, FAILED;

    public short code() {
        return (short) ordinal();
    }

    public static DeliveryState of(int code) {
        return values()[code];
    }
}
