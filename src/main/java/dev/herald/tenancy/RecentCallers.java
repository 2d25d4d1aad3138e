package dev.herald.tenancy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Key hashes that authenticated on this replica lately, with their caller: while an address is throttled for
 * guessing ({@link FailedAuthentications}), these keys still pass from it without a look at the database, so that
 * the clients behind the same proxy as a guesser keep working. Forgotten {@link #KEPT} after their last success; at
 * most {@link #HELD} are held (past that, the forgotten ones are dropped, then all: the cost is one lookup each).
 */
final class RecentCallers {

    static final Duration KEPT = Duration.ofMinutes(10);
    static final int HELD = 10_000;

    private record Seen(Caller caller, long atMillis) {
    }

    private final LongSupplier clockMillis;
    private final Map<String, Seen> byKeyHash = new ConcurrentHashMap<>();

    RecentCallers(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** The caller of a key hash that authenticated within {@link #KEPT}; null otherwise. */
    Caller get(String keyHash) {
        Seen seen = byKeyHash.get(keyHash);
        return seen == null || clockMillis.getAsLong() - seen.atMillis > KEPT.toMillis() ? null : seen.caller;
    }

    void put(String keyHash, Caller caller) {
        long now = clockMillis.getAsLong();
        if (byKeyHash.size() >= HELD && !byKeyHash.containsKey(keyHash)) {
            byKeyHash.values().removeIf(seen -> now - seen.atMillis > KEPT.toMillis());
            if (byKeyHash.size() >= HELD) {
                byKeyHash.clear();
            }
        }
        byKeyHash.put(keyHash, new Seen(caller, now));
    }
}
