package dev.herald.tenancy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.herald.api.TooManyRequests;

/**
 * Failed authentications per client address, so that guessing keys is slow: an address that failed
 * {@code herald.tenancy.max-failed-authentications-per-minute} times within a minute (from its first failure) is
 * throttled until that minute ends: no key it presents is looked up in the database, and only keys that
 * authenticated recently on this replica still pass ({@link CallerResolver}), so the clients that share an address
 * with a guesser (behind one proxy) keep working. IPv6 addresses count by their /64 (one host has a whole /64 to
 * rotate through). Held per replica, in memory: a guesser spread over replicas gets this many per replica, and a
 * replica's restart forgets. At most {@link #TRACKED} addresses are tracked: past that, ended windows are dropped,
 * and addresses not yet tracked are not counted until there is room (those tracked stay throttled).
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

    /** Whether {@code address} has used up its failures for now. */
    boolean throttled(String address) {
        Window window = current(address);
        return window != null && window.failures >= maxFailures;
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
        String counted = counted(address);
        long now = clockMillis.getAsLong();
        if (byAddress.size() >= TRACKED && !byAddress.containsKey(counted)) {
            byAddress.values().removeIf(window -> ended(window, now));
            if (byAddress.size() >= TRACKED) {
                return;
            }
        }
        byAddress.merge(counted, new Window(now, 1), (old, one) -> ended(old, now) ? one
                : new Window(old.startedMillis, old.failures + 1));
    }

    /** What an address counts as: itself, or for IPv6 its /64. */
    static String counted(String address) {
        // only an IPv6 literal (hex, colons, an embedded IPv4): parsing it never asks a name server
        if (address.indexOf(':') < 0 || !address.matches("[0-9A-Fa-f:.]+")) {
            return address;
        }
        try {
            byte[] bytes = java.net.InetAddress.getByName(address).getAddress();
            if (bytes.length == 16) {
                return java.util.HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
        } catch (java.net.UnknownHostException notAnAddress) {
            // counted as written
        }
        return address;
    }

    private Window current(String address) {
        Window window = byAddress.get(counted(address));
        return window == null || ended(window, clockMillis.getAsLong()) ? null : window;
    }

    private static boolean ended(Window window, long nowMillis) {
        return nowMillis - window.startedMillis >= WINDOW.toMillis();
    }

    int tracked() {
        return byAddress.size();
    }
}
