package dev.herald.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The JVM's resolver (the system's, with the JVM's cache; {@code -Djdk.net.hosts.file} points it at a hosts file
 * instead), run off the event loop: it blocks. A name that does not resolve fails with {@link NameNotResolved}.
 */
@ApplicationScoped
@DefaultBean
public class SystemHostResolver implements HostResolver {

    @Override
    public Uni<List<InetAddress>> resolve(String host) {
        return Uni.createFrom().item(() -> lookUp(host)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static List<InetAddress> lookUp(String host) {
        try {
            return List.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            throw new NameNotResolved(host, "unknown host");
        }
    }
}
