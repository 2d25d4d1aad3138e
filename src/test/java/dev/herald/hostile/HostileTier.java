package dev.herald.hostile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.herald.faults.FaultTier;

/**
 * The hostile-tenant tier: what a careless or hostile tenant does, tried against the packaged jar (as the fault tier
 * runs it) on a real PostgreSQL. Each test reproduces a way one tenant once hung the API, stopped or starved the
 * others, or took more than its share, and checks it is now refused or contained.
 */
abstract class HostileTier extends FaultTier {

    /** The highest of the latencies (ms): with twenty samples, their p95 and p99 alike. */
    static long p99(List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    static long millisSince(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
    }
}
