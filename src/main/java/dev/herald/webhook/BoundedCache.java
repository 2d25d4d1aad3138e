package dev.herald.webhook;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What was decrypted, by its stored text, for at most {@code capacity} entries: when full it starts over, so
 * rotated secrets and changed headers do not pile up for the replica's life. Starting over costs one decryption
 * per webhook (microseconds), far cheaper than tracking use on the hot path.
 */
final class BoundedCache<V> {

    private final int capacity;
    private final Map<String, V> entries = new ConcurrentHashMap<>();

    BoundedCache(int capacity) {
        this.capacity = capacity;
    }

    /** The value for {@code stored}, computed (and remembered) when missing; what {@code compute} throws passes. */
    V get(String stored, Function<String, V> compute) {
        V known = entries.get(stored);
        if (known != null) {
            return known;
        }
        if (entries.size() >= capacity) {
            entries.clear();
        }
        return entries.computeIfAbsent(stored, compute);
    }

    int size() {
        return entries.size();
    }
}
