package dev.herald.delivery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Which addresses Herald may connect to. Internal ones are refused (loopback, private, link-local with the
 * cloud metadata address, CGNAT, "this network", multicast, broadcast and reserved; IPv6 loopback, ULA,
 * link-local, deprecated site-local, multicast, Teredo, local-use NAT64, IPv4-translated), including when an IPv4 address hides inside IPv6 (mapped, compatible, NAT64, 6to4),
 * unless {@code herald.delivery.allowed-networks} lets a range through.
 */
@ApplicationScoped
public class AddressPolicy {

    private static final List<Range> BLOCKED = List.of(
            new Range("0.0.0.0/8", "\"this network\""),
            new Range("10.0.0.0/8", "private (RFC 1918)"),
            new Range("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
            new Range("127.0.0.0/8", "loopback"),
            new Range("169.254.0.0/16", "link-local (cloud metadata lives here)"),
            new Range("172.16.0.0/12", "private (RFC 1918)"),
            new Range("192.0.0.0/24", "IETF protocol assignments"),
            new Range("192.168.0.0/16", "private (RFC 1918)"),
            new Range("198.18.0.0/15", "benchmarking"),
            new Range("224.0.0.0/4", "multicast"),
            new Range("240.0.0.0/4", "reserved and broadcast"),
            new Range("::/128", "unspecified"),
            new Range("::1/128", "loopback"),
            new Range("::ffff:0:0:0/96", "IPv4-translated (SIIT)"),
            new Range("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
            // a Teredo address's IPv4 parts are obfuscated and may point anywhere: refused whole
            new Range("2001::/32", "Teredo tunnel"),
            new Range("fc00::/7", "unique local (ULA)"),
            new Range("fec0::/10", "site-local (deprecated)"),
            new Range("fe80::/10", "link-local"),
            new Range("ff00::/8", "multicast"));

    /** Java reads "::ffff:a.b.c.d" as the IPv4 address itself, so this range is built from its bytes. */
    private static final Cidr MAPPED = new Cidr(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff,
            0, 0, 0, 0 }, 96);
    private static final Cidr COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private record Range(Cidr cidr, String kind) {
        Range(String cidr, String kind) {
            this(Cidr.parse(cidr), kind);
        }
    }

    @Inject
    DeliveryConfig config;

    private List<Cidr> allowed;

    @PostConstruct
    void readAllowed() {
        allowed = config.allowedNetworks().orElse(List.of()).stream().map(Cidr::parse).toList();
    }

    /** Why Herald must not connect to this address; empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        if (allowed.stream().anyMatch(cidr -> cidr.contains(address))) {
            return Optional.empty();
        }
        for (Range range : BLOCKED) {
            if (range.cidr().contains(address)) {
                return Optional.of(range.kind() + " address " + address.getHostAddress());
            }
        }
        return embeddedIpv4(address).flatMap(inner -> refusal(inner)
                .map(reason -> reason + " inside " + address.getHostAddress()));
    }

    /** The IPv4 address an IPv6 address carries, for the forms that route to it. */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] b = address.getAddress();
        int offset;
        if (MAPPED.contains(address) || NAT64.contains(address) || COMPATIBLE.contains(address)) {
            offset = 12;
        } else if (SIX_TO_FOUR.contains(address)) {
            offset = 2;
        } else {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(new byte[] { b[offset], b[offset + 1], b[offset + 2], b[offset + 3] }));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
