package dev.herald.console;

import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.Router;

/**
 * The console's pages are static files (META-INF/resources/console); this adds what a browser needs to hold them to
 * their promise: a Content-Security-Policy that allows only Herald's own files (no inline script or style, no other
 * origin, no framing but by the origins of {@code herald.console.frame-ancestors}), and {@code /} and {@code /console} answered with its directory, whose index.html Quarkus
 * serves.
 */
@Singleton
public class ConsoleRoutes {

    static final String PATH = "/console";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors %s; base-uri 'none'; form-action 'self'";
    /** An origin as a browser writes it: a scheme, a host and perhaps a port, nothing else. */
    private static final Pattern ORIGIN = Pattern.compile(
            "https?://(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5}|:\\*)?");

    @Inject
    ConsoleConfig config;

    /** The policy, with the origins allowed to frame the console; a malformed one stops the replica, naming it. */
    static String contentSecurityPolicy(List<String> frameAncestors) {
        for (String origin : frameAncestors) {
            if (!ORIGIN.matcher(origin).matches()) {
                throw new IllegalStateException("herald.console.frame-ancestors: " + origin + " is not an origin;"
                        + " write each as https://host[:port] (a port may be *)");
            }
        }
        return CONTENT_SECURITY_POLICY.formatted(frameAncestors.isEmpty() ? "'none'" : String.join(" ", frameAncestors));
    }

    void redirectToDirectory(@Observes Router router) {
        // a path route would also match "/console/" (Vert.x ignores a trailing slash): match the bare path only
        router.getWithRegex("^" + PATH + "$").handler(context -> context.redirect(PATH + "/"));
        // Herald's root has nothing else to show a browser
        router.getWithRegex("^/$").handler(context -> context.redirect(PATH + "/"));
    }

    void secureHeaders(@Observes Filters filters) {
        String contentSecurityPolicy = contentSecurityPolicy(config.frameAncestors().orElse(List.of()));
        filters.register(context -> {
            String path = context.normalizedPath();
            if (path.equals(PATH) || path.startsWith(PATH + "/")) {
                context.response().headers()
                        .set("Content-Security-Policy", contentSecurityPolicy)
                        .set("X-Content-Type-Options", "nosniff")
                        .set("Referrer-Policy", "no-referrer")
                        // the pages change with Herald's version, and a stale module would talk to a newer API
                        .set("Cache-Control", "no-cache");
            }
            context.next();
        }, 100);
    }
}
