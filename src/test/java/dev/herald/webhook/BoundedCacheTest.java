package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Decrypted values are computed once while cached, and the cache never holds more than its capacity. */
class BoundedCacheTest {

    @Test
    void computesOnceAndStaysWithinItsCapacity() {
        AtomicInteger computed = new AtomicInteger();
        BoundedCache<String> cache = new BoundedCache<>(3);
        for (int round = 0; round < 2; round++) {
            assertEquals("A", cache.get("a", s -> { computed.incrementAndGet(); return s.toUpperCase(); }));
        }
        assertEquals(1, computed.get(), "a cached value is not computed again");
        for (int i = 0; i < 100; i++) {
            String key = "k" + i;
            assertEquals(key + "!", cache.get(key, s -> s + "!"));
            assertTrue(cache.size() <= 3, "size " + cache.size() + " after " + (i + 1) + " keys");
        }
    }

    @Test
    void whatTheComputationThrowsPassesAndIsNotCached() {
        BoundedCache<String> cache = new BoundedCache<>(3);
        assertThrows(IllegalStateException.class, () -> cache.get("bad", s -> { throw new IllegalStateException(); }));
        assertEquals(0, cache.size());
    }
}
