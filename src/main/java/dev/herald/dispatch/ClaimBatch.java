package dev.herald.dispatch;

import java.util.List;

/**
 * What one claim took.
 *
 * @param endpointsLocked how many due endpoints it locked; as many as it asked for means more may be due
 */
public record ClaimBatch(List<ClaimedDelivery> deliveries, int endpointsLocked) {

    static final ClaimBatch EMPTY = new ClaimBatch(List.of(), 0);
}
