package dev.herald.dispatch;

import org.eclipse.microprofile.graphql.Enum;

/**
 * The states of a delivery, stored in {@code delivery.status} by the explicit codes below (never by ordinal) and
 * shown by GraphQL. Who moves a delivery from one state to the next:
 * <ul>
 * <li>fan-out creates it PENDING;</li>
 * <li>a claim moves PENDING to IN_FLIGHT under a fresh claim token and lease;</li>
 * <li>a completion ({@link Outcome}) moves IN_FLIGHT to DELIVERED, FAILED, or back to PENDING (a retry, a 410
 * that holds it, or a claim given back unsent), only under the token it was claimed with;</li>
 * <li>the lease reaper moves an IN_FLIGHT delivery whose lease ran out to PENDING, or FAILED when that was its
 * last attempt;</li>
 * <li>replay moves FAILED to PENDING.</li>
 * </ul>
 * A PENDING delivery of a switched-off webhook is held: not claimed, not counted as backlog, until the webhook is
 * switched on again.
 */
@Enum("DeliveryStatus")
public enum DeliveryState {
    PENDING(0), IN_FLIGHT(1), DELIVERED(2), FAILED(3);

    private final short code;

    DeliveryState(int code) {
        this.code = (short) code;
    }

    public short code() {
        return code;
    }

    public static DeliveryState of(int code) {
        for (DeliveryState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IllegalArgumentException("no delivery state has the code " + code);
    }
}
