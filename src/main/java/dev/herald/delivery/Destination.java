package dev.herald.delivery;

import java.net.InetAddress;

/**
 * Where an attempt may go, decided before any connection: the checked address to connect to, or why not.
 */
public record Destination(InetAddress address, String refusal) {

    static Destination to(InetAddress address) {
        return new Destination(address, null);
    }

    static Destination refused(String reason) {
        return new Destination(null, reason);
    }

    public boolean allowed() {
        return refusal == null;
    }
}
