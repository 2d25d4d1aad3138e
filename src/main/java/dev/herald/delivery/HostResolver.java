package dev.herald.delivery;

import java.net.InetAddress;
import java.util.List;

import io.smallrye.mutiny.Uni;

/** Looks a host name up: every address it has, or a failure ({@link NameNotResolved}, retried) when it has none. */
public interface HostResolver {

    Uni<List<InetAddress>> resolve(String host);
}
