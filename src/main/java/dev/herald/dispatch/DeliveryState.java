package dev.herald.dispatch;

/** The states of a delivery, as stored in {@code delivery.status}. */
public enum DeliveryState {
    PENDING, IN_FLIGHT, DELIVERED, FAILED;

    public short code() {
        return (short) ordinal();
    }

    public static DeliveryState of(int code) {
        return values()[code];
    }
}
