package dev.herald.webhook;

import java.net.URI;
import java.net.URISyntaxException;

import dev.herald.api.InvalidInput;

/** What a webhook URL must look like before Herald stores it. */
final class WebhookUrlRules {

    static final String FIELD = "webhookUrl";
    static final int MAX_LENGTH = 2048;

    private WebhookUrlRules() {
    }

    /** The URL, trimmed, or an {@link InvalidInput} naming the rule it breaks. */
    static String check(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInput(FIELD, "must not be blank");
        }
        String trimmed = url.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw new InvalidInput(FIELD, "must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new InvalidInput(FIELD, "must be a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            throw new InvalidInput(FIELD, "must be an absolute http or https URL");
        }
        if (uri.getRawUserInfo() != null || trimmed.substring(scheme.length()).matches("^://[^/?#]*@.*")) {
            throw new InvalidInput(FIELD, "must not contain user information (user:password@)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidInput(FIELD, "must have a host");
        }
        return trimmed;
    }
}
