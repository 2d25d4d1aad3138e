package dev.herald.webhook;

import java.util.Locale;

import dev.herald.api.InvalidInput;

/** What a legacy signature header name may be. */
final class LegacyHeaderRules {

    static final String FIELD = "legacySignatureHeader";

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
        // the same names custom headers may not take (a legacy header so named would replace Herald's), and the
        // User-Agent Herald sends
        if (HeaderRules.reserved(name) || name.equals("user-agent")) {
            throw new InvalidInput(FIELD, "must not be a header Herald already sends (" + name + ")");
        }
        return name;
    }
}
