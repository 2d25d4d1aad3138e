package dev.herald.webhook;

import java.util.Locale;
import java.util.Set;

import dev.herald.api.InvalidInput;

/** What a legacy signature header name may be. */
final class LegacyHeaderRules {

    static final String FIELD = "legacySignatureHeader";
    private static final Set<String> RESERVED = Set.of("content-type", "content-length", "host", "user-agent",
            "connection", "transfer-encoding", "webhook-id", "webhook-timestamp", "webhook-signature");

    private LegacyHeaderRules() {
    }

    /** The header name in lower case, null for "off" (null or empty), or an {@link InvalidInput}. */
    static String check(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String name = header.strip().toLowerCase(Locale.ROOT);
        if (!name.matches("[!#$%&'*+.^_`|~0-9a-z-]{1,100}")) {
            throw new InvalidInput(FIELD, "must be an HTTP header name (letters, digits and -, at most 100)");
        }
        if (RESERVED.contains(name)) {
            throw new InvalidInput(FIELD, "must not be a header Herald already sends (" + name + ")");
        }
        return name;
    }
}
