package dev.herald.delivery;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Uni;

/**
 * Resolves a webhook URL's host once and checks every address it has. A name that does not resolve fails the
 * attempt as a network error ({@link NameNotResolved}: retried); only a refused address ends it at once. The
 * attempt then connects to the checked address only, so a second lookup cannot answer differently (DNS
 * rebinding). Literal addresses in any spelling are read, not looked up.
 */
@ApplicationScoped
public class DestinationCheck {

    @Inject
    DeliveryConfig config;

    @Inject
    AddressPolicy policy;

    @Inject
    HostResolver resolver;

    /** Why a URL may not even be registered: plain http where https is required, or a refused literal address. */
    public Optional<String> refusalAtRegistration(URI url) {
        if (config.requireHttps() && !"https".equalsIgnoreCase(url.getScheme())) {
            return Optional.of("must use https (herald.delivery.require-https)");
        }
        return refusalOfHostAtRegistration(url.getHost());
    }

    /** Why a host may not even be registered (a webhook's proxy): a refused literal address. */
    public Optional<String> refusalOfHostAtRegistration(String host) {
        return IpLiterals.parse(host).flatMap(policy::refusal).map(reason -> "must not point at a " + reason);
    }

    public Uni<Destination> check(URI url) {
        if (config.requireHttps() && !"https".equalsIgnoreCase(url.getScheme())) {
            return Uni.createFrom().item(Destination.refused("https required (herald.delivery.require-https)"));
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            return Uni.createFrom().item(Destination.refused("the URL has no host"));
        }
        return checkHost(host);
    }

    /**
     * A host's addresses under the address policy alone (no https rule): for a webhook's own proxy, which is reached
     * over plain http and carries https inside its tunnels.
     */
    public Uni<Destination> checkHost(String host) {
        Optional<InetAddress> literal = IpLiterals.parse(host);
        Uni<List<InetAddress>> addresses = literal.isPresent() ? Uni.createFrom().item(List.of(literal.get()))
                : resolver.resolve(host);
        return addresses.map(all -> {
            if (all.isEmpty()) {
                // a resolver that answers nothing is failing, not saying no: the attempt is retried
                throw new NameNotResolved(host, "no address");
            }
            for (InetAddress address : all) {
                Optional<String> refusal = policy.refusal(address);
                if (refusal.isPresent()) {
                    return Destination.refused(refusal.get());
                }
            }
            return Destination.to(all.get(0));
        });
    }
}
