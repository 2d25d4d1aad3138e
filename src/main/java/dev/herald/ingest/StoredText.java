package dev.herald.ingest;

import dev.herald.api.InvalidInput;

/**
 * What PostgreSQL cannot hold in text, or reads back only to fail: the character NUL ({@code \u0000}) and a UTF-16
 * surrogate without its partner (an escape such as {@code \ud800} alone, often a string cut inside an emoji).
 * PostgreSQL's {@code json} type keeps such escapes, but every statement that reads the member fails
 * ("unsupported Unicode escape sequence"), so an event holding one would fail later, in fan-out, for its
 * filters. Refused at the door instead, naming the JSON path.
 */
final class StoredText {

    private StoredText() {
    }

    /** @param what "a string" or "a member name", @param path where it is, as errors name it */
    static void require(String text, String what, String path) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw new InvalidInput(path, what + " holds the character NUL (\\u0000), which Herald cannot store;"
                        + " leave it out");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a whole character outside the Basic Multilingual Plane
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInput(path, what + " holds an unpaired UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + "), which is not a character; send whole characters (was a string"
                        + " cut inside an emoji?)");
            }
        }
    }
}
