package dev.herald.metrics;

/**
 * One reading of the backlog gauges, cluster-wide: deliveries not yet final for webhooks that are on, those held for
 * webhooks that are off, the age of the oldest one not yet final, and how long ago this was read.
 */
public record BacklogReading(long backlog, long held, double oldestPendingAgeSeconds, double readSecondsAgo) {
}
