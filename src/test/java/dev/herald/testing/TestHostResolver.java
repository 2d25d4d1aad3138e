package dev.herald.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import dev.herald.delivery.HostResolver;
import dev.herald.delivery.SystemHostResolver;
import io.smallrye.mutiny.Uni;

/**
 * Test DNS: names under {@code .herald.test} answer what a test set (loopback addresses only), everything else
 * goes to the system resolver. Lets a test show that Herald connects to the address it checked, and checks
 * every address a name has, without aiming anything at a non-loopback address.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class TestHostResolver implements HostResolver {

    private static final Map<String, List<InetAddress>> ANSWERS = new ConcurrentHashMap<>();

    private final SystemHostResolver system = new SystemHostResolver();

    /** Makes {@code name} (ending in .herald.test) resolve to these literal addresses. */
    public static void answer(String name, String... addresses) {
        ANSWERS.put(name, java.util.Arrays.stream(addresses).map(TestHostResolver::literal).toList());
    }

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        if (host.endsWith(".herald.test")) {
            return Uni.createFrom().item(ANSWERS.getOrDefault(host, List.of()));
        }
        return system.resolve(host);
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address); // literals only: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
