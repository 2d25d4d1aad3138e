package dev.herald.ingest;

import java.util.Locale;

import dev.herald.api.UnsupportedMediaType;

/**
 * Events come as JSON in UTF-8 (RFC 8259): {@code Content-Type: application/json}, or any {@code application/*+json},
 * with no charset or {@code charset=utf-8}. Anything else is answered 415 with what was wrong.
 */
final class JsonContentType {

    private JsonContentType() {
    }

    static void require(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new UnsupportedMediaType("Content-Type", "the header is missing; send Content-Type: application/json");
        }
        String[] parts = contentType.split(";");
        String type = parts[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new UnsupportedMediaType("Content-Type", "must be application/json, not " + printable(type));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter[0].strip().equalsIgnoreCase("charset") && parameter.length == 2) {
                String charset = parameter[1].strip().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                    throw new UnsupportedMediaType("Content-Type", "the charset must be utf-8 (JSON is UTF-8), not "
                            + printable(charset));
                }
            }
        }
    }

    /** At most 40 characters of what the client sent, with anything unprintable replaced. */
    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
