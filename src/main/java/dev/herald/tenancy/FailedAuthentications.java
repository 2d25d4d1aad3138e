package dev.herald.tenancy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.herald.api.TooManyRequests;

/**
 * Failed authentications per client address, so that guessing keys is slow: an address that failed
 * {@code herald.tenancy.max-failed-authentications-per-minute} times within a minute (from its first failure) is
 * refused every authentication until that minute ends, without Herald looking at the key (no database work). Held
 * per replica, in memory: a guesser spread over replicas gets this many per replica, and a replica's restart forgets.
 * At most {@link #TRACKED} addresses are tracked; past that the ended windows are dropped, then all.
 */
final class FailedAuthentications {

    static final int TRACKED = 10_000;
    static final Duration WINDOW = Duration.ofMinutes(1);

    /** Failures of one address since {@code startedMillis}. */
    private record Window(long startedMillis, int failures) {
    }

    private final int maxFailures;
    private final LongSupplier clockMillis;
    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

    FailedAuthentications(int maxFailures, LongSupplier clockMillis) {
        this.maxFailures = maxFailures;
        this.clockMillis = clockMillis;
    }

    /** Throws {@link TooManyRequests} when {@code address} may not try now. */
    void requireAllowed(String address) {
        Window window = current(address);
        if (window != null && window.failures >= maxFailures) {
            Duration left = Duration.ofMillis(window.startedMillis + WINDOW.toMillis() - clockMillis.getAsLong());
            throw new TooManyRequests("too many failed authentications from this address: at most " + maxFailures
                    + " a minute (herald.tenancy.max-failed-authentications-per-minute)", left);
        }
    }

    /** The RateLimit headers of an answer to {@code address}: failures allowed a minute, left, seconds to a new count. */
    Map<String, String> headers(String address) {
        Window window = current(address);
        int used = window == null ? 0 : window.failures;
        long reset = window == null ? 0
                : Math.max(0, (window.startedMillis + WINDOW.toMillis() - clockMillis.getAsLong() + 999) / 1000);
        return Map.of("RateLimit-Limit", Integer.toString(maxFailures),
                "RateLimit-Remaining", Integer.toString(Math.max(0, maxFailures - used)),
                "RateLimit-Reset", Long.toString(reset),
                "RateLimit-Policy", maxFailures + ";w=60");
    }

    void failed(String address) {
        long now = clockMillis.getAsLong();
        if (byAddress.size() >= TRACKED && !byAddress.containsKey(address)) {
            byAddress.values().removeIf(window -> ended(window, now));
            if (byAddress.size() >= TRACKED) {
                byAddress.clear();
            }
        }
        byAddress.merge(address, new Window(now, 1), (old, one) -> ended(old, now) ? one
                : new Window(old.startedMillis, old.failures + 1));
    }

    private Window current(String address) {
        Window window = byAddress.get(address);
        return window == null || ended(window, clockMillis.getAsLong()) ? null : window;
    }

    private static boolean ended(Window window, long nowMillis) {
        return nowMillis - window.startedMillis >= WINDOW.toMillis();
    }

    int tracked() {
        return byAddress.size();
    }
}
