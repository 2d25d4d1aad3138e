package dev.herald.webhook;

import java.net.URI;
import java.net.URISyntaxException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.delivery.DestinationCheck;

/**
 * What a webhook URL must look like before Herald stores it. Host names are not looked up here (the answer
 * could change); every attempt checks the addresses again before connecting.
 */
@ApplicationScoped
public class WebhookUrlRules {

    static final String FIELD = "webhookUrl";
    static final int MAX_LENGTH = 2048;

    @Inject
    DestinationCheck destinations;

    /** The URL, trimmed, or an {@link InvalidInput} naming the rule it breaks. */
    public String check(String url) {
        return check(FIELD, url);
    }

    /** A URL given as {@code field} that Herald will send to under the same rules (an OAuth2 token URL). */
    public String check(String field, String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInput(field, "must not be blank");
        }
        String trimmed = url.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidInput(field, "must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new InvalidInput(field, "must be a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new InvalidInput(field, "must be an absolute http or https URL");
        }
        if (uri.getRawUserInfo() != null || trimmed.substring(scheme.length()).matches("^://[^/?#]*@.*")) {
            throw new InvalidInput(field, "must not contain user information (user:password@)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidInput(field, "must have a host");
        }
        destinations.refusalAtRegistration(uri).ifPresent(rule -> {
            throw new InvalidInput(field, rule);
        });
        return trimmed;
    }
}
