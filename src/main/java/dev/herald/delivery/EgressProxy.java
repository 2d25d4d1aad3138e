package dev.herald.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import org.eclipse.microprofile.config.spi.Converter;

import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;

/**
 * The HTTP proxy every attempt goes through ({@code herald.delivery.proxy}), as {@code http://host:port} or
 * {@code http://user:password@host:port}, so that receivers see a fixed egress address. An https webhook is reached
 * through a {@code CONNECT} tunnel to the address Herald resolved and checked (the proxy never resolves its name);
 * a plain-http one is sent to the proxy whole, with its URL, and the proxy resolves the name itself after Herald
 * checked it. The proxy's own address is the operator's and not under the address policy.
 */
public record EgressProxy(String host, int port, String username, String password) {

    /** Reads the setting; refuses anything else than {@code http://[user:password@]host:port}, saying why. */
    public static EgressProxy parse(String value) {
        return parse("herald.delivery.proxy", value);
    }

    /** Reads a proxy URL given as {@code what} (a setting or a field), naming it when refusing. */
    public static EgressProxy parse(String what, String value) {
        URI uri;
        try {
            uri = new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + ": not a URL; use http://[user:password@]host:port");
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(what + ": must start with http:// (an HTTP CONNECT proxy;"
                    + " TLS to the proxy itself is not supported)");
        }
        if (uri.getHost() == null || uri.getPort() == -1) {
            throw new IllegalArgumentException(what + ": must name a host and a port,"
                    + " http://[user:password@]host:port");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !"/".equals(uri.getRawPath())
                || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(what + ": must have no path or query");
        }
        String username = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(what + ": credentials are user:password");
            }
            username = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
        }
        return new EgressProxy(uri.getHost(), uri.getPort(), username, password);
    }

    /** The URL it was read from, credentials included: what is stored (sealed) for a webhook's own proxy. */
    public String url() {
        String credentials = username == null ? ""
                : URLEncoder.encode(username, StandardCharsets.UTF_8) + ":"
                        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "@";
        return "http://" + credentials + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":"
                + port;
    }

    /** This proxy, reached at an address Herald checked instead of its name (a webhook's own proxy). */
    public EgressProxy at(String address) {
        return new EgressProxy(address, port, username, password);
    }

    /** The Vert.x client's options for this proxy. */
    public ProxyOptions options() {
        ProxyOptions options = new ProxyOptions().setType(ProxyType.HTTP).setHost(host).setPort(port);
        if (username != null) {
            options.setUsername(username).setPassword(password);
        }
        return options;
    }

    /** Never the password: this is what logs and errors show. */
    @Override
    public String toString() {
        return "http://" + (username == null ? "" : username + ":***@") + host + ":" + port;
    }

    /** Reads {@code herald.delivery.proxy} at startup, so that a malformed value stops the replica, naming why. */
    public static final class Setting implements Converter<EgressProxy> {
        @Override
        public EgressProxy convert(String value) {
            return value == null || value.isBlank() ? null : parse(value);
        }
    }
}
