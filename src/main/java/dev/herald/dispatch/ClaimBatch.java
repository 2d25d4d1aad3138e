package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;

/**
 * What one claim took.
 *
 * @param endpointsLocked how many due endpoints it locked; as many as it asked for means more may be due
 * @param nextDue         when fewer were due: how long until the next endpoint falls due, by the database's
 *                        clock, read in the claim's own transaction (no commit of its own); null when none is
 *                        waiting, or when more may be due
 */
public record ClaimBatch(List<ClaimedDelivery> deliveries, int endpointsLocked, Duration nextDue) {
}
