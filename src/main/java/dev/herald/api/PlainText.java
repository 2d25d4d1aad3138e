package dev.herald.api;

/**
 * Text a caller gives Herald to keep (names, descriptions): no control characters (NUL cannot even be stored, the
 * others break the console and logs) and no UTF-16 surrogate without its partner (not a character at all).
 * Descriptions may span lines and hold tabs; names may not.
 */
public final class PlainText {

    private PlainText() {
    }

    /** A name: one line. */
    public static String line(String field, String value) {
        return check(field, value, false);
    }

    /** A description: lines and tabs allowed. */
    public static String lines(String field, String value) {
        return check(field, value, true);
    }

    private static String check(String field, String value, boolean lines) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = lines && (c == '\n' || c == '\r' || c == '\t');
            if (Character.isISOControl(c) && !allowed) {
                throw new InvalidInput(field, "must not hold control characters (found U+"
                        + String.format("%04X", (int) c) + (lines ? "; lines and tabs are fine" : "") + ")");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInput(field, "must be whole characters (found an unpaired UTF-16 surrogate)");
            }
        }
        return value;
    }
}
