package dev.herald.bench;

/**
 * The bench's notification event: what the producer inserts, what the SQL floor inserts and what the HTTP floor
 * posts, so that every figure of a run is about the same bytes (about 150). {@code sentAt} (epoch ms) lets the
 * sink measure latency.
 */
public final class BenchEvent {

    private BenchEvent() {
    }

    public static String json(long id, int providerId, long sentAtMillis) {
        return "{\"id\": " + id + ", \"providerId\": " + providerId + ", \"channelType\": 1, \"deliveryStatus\": 5,"
                + " \"data\": {\"to\": \"bench@example.com\"}, \"sentAt\":" + sentAtMillis + "}";
    }
}
