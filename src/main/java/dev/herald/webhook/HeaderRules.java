package dev.herald.webhook;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.herald.api.InvalidInput;
import dev.herald.delivery.CustomHeader;

/**
 * What a webhook's own request headers may be: names that are HTTP tokens and that Herald does not set or that
 * describe the connection or the message framing, values of visible ASCII. The errors name the header's place
 * ({@code headers[2].name}) and the rule.
 */
final class HeaderRules {

    static final String FIELD = "headers";
    static final int MAX_HEADERS = 20;
    static final int MAX_NAME = 100;
    static final int MAX_VALUE = 2000;

    /** Hop-by-hop and framing headers (RFC 9110, 9112), and those Herald sets on every attempt. */
    private static final Set<String> REFUSED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "upgrade",
            "expect", "content-type", "content-encoding", "traceparent", "tracestate");

    private HeaderRules() {
    }

    /** The headers as they will be sent, in the given order; null stays null (not given). */
    static List<CustomHeader> check(List<HeaderInput> headers, String legacyHeader) {
        if (headers == null) {
            return null;
        }
        if (headers.size() > MAX_HEADERS) {
            throw new InvalidInput(FIELD, "must list at most " + MAX_HEADERS + " headers");
        }
        List<CustomHeader> checked = new ArrayList<>(headers.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < headers.size(); i++) {
            HeaderInput header = headers.get(i);
            String field = FIELD + "[" + i + "]";
            String name = checkName(field + ".name", header == null ? null : header.name, legacyHeader);
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidInput(field + ".name", "must not repeat a header named before (" + name + ")");
            }
            checked.add(new CustomHeader(name, checkValue(field + ".value", header.value)));
        }
        return List.copyOf(checked);
    }

    /** Headers already stored must not collide with a legacy signature header set later. */
    static void checkAgainstLegacy(List<CustomHeader> headers, String legacyHeader) {
        for (int i = 0; i < headers.size(); i++) {
            checkName(FIELD + "[" + i + "].name", headers.get(i).name(), legacyHeader);
        }
    }

    private static String checkName(String field, String name, String legacyHeader) {
        if (name == null || !name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1," + MAX_NAME + "}")) {
            throw new InvalidInput(field, "must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, 1 to "
                    + MAX_NAME + " characters)");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (REFUSED.contains(lower)) {
            throw new InvalidInput(field, "must not be " + name
                    + ": Herald sets it, or it belongs to the connection or the message framing");
        }
        if (lower.startsWith("webhook-")) {
            throw new InvalidInput(field, "must not start with webhook- (the Standard Webhooks headers are Herald's)");
        }
        if (lower.equals(legacyHeader)) {
            throw new InvalidInput(field, "must not be the legacySignatureHeader (" + legacyHeader + ")");
        }
        return name;
    }

    /** Whether Herald sets this header (lower case) itself or it belongs to the connection or framing. */
    static boolean reserved(String lowerCaseName) {
        return REFUSED.contains(lowerCaseName) || lowerCaseName.startsWith("webhook-");
    }

    private static String checkValue(String field, String value) {
        if (value == null || value.length() > MAX_VALUE) {
            throw new InvalidInput(field, "must be at most " + MAX_VALUE + " characters");
        }
        // visible ASCII, spaces and tabs inside: no CR or LF (header injection), no other control characters
        if (!value.matches("([\\x21-\\x7E]([\\x20-\\x7E\\t]*[\\x21-\\x7E])?)?")) {
            throw new InvalidInput(field, "must be visible ASCII characters, with spaces or tabs only between them");
        }
        return value;
    }
}
