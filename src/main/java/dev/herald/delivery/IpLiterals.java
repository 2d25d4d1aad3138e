package dev.herald.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a host as an IP address the way resolvers do, including the IPv4 spellings browsers and libc accept:
 * 1 to 4 parts, each decimal, octal ({@code 0177}) or hex ({@code 0x7f}); so {@code 2130706433},
 * {@code 0x7f.1} and {@code 017700000001} are all 127.0.0.1. IPv6 may come in brackets.
 */
public final class IpLiterals {

    // compiled once: every attempt reads its host through here
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9a-fA-F:.%]+");
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]*");
    private static final Pattern OCTAL = Pattern.compile("0[0-7]+");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+");

    private IpLiterals() {
    }

    public static Optional<InetAddress> parse(String host) {
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (h.indexOf(':') >= 0) {
            return ipv6(h);
        }
        return ipv4(h);
    }

    private static Optional<InetAddress> ipv6(String text) {
        if (!IPV6_CHARACTERS.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text)); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> ipv4(String text) {
        String h = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        String[] parts = h.split("\\.", -1); // a one-character split needs no regex
        if (parts.length < 1 || parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = number(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        // the last part fills the remaining bytes: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits)
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 255) {
                return Optional.empty();
            }
            address |= values[i] << (24 - 8 * i);
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            return Optional.empty();
        }
        address |= last;
        byte[] bytes = { (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address };
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Long number(String part) {
        try {
            if (HEX.matcher(part).matches()) {
                return part.length() == 2 ? 0L : Long.parseLong(part.substring(2), 16);
            }
            if (OCTAL.matcher(part).matches()) {
                return Long.parseLong(part.substring(1), 8);
            }
            if (DECIMAL.matcher(part).matches()) {
                return Long.parseLong(part);
            }
        } catch (NumberFormatException tooLong) {
            return null;
        }
        return null;
    }
}
