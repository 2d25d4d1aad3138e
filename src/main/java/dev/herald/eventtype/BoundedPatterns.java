package dev.herald.eventtype;

import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * The schemas' {@code pattern}s, with Java's regular expressions, under a deadline shared by one check
 * ({@link #within}): the text a pattern reads checks the clock as it is read, so a pattern that backtracks for ever
 * ends the check with {@link TooSlow} instead of holding a thread.
 */
final class BoundedPatterns {

    /** How long checking one request's events may take in all. */
    static final long DEADLINE_MS = 250;
    private static final ThreadLocal<Long> DEADLINE = ThreadLocal.withInitial(() -> Long.MAX_VALUE);
    static final RegularExpressionFactory FACTORY = pattern -> {
        Pattern compiled = Pattern.compile(pattern);
        return (RegularExpression) value -> compiled.matcher(new TimedText(value, DEADLINE.get())).find();
    };

    private BoundedPatterns() {
    }

    /** Runs {@code check} with the deadline starting now (a nested call keeps the outer one). */
    static <T> T within(Supplier<T> check) {
        if (DEADLINE.get() != Long.MAX_VALUE) {
            return check.get();
        }
        DEADLINE.set(System.nanoTime() + DEADLINE_MS * 1_000_000);
        try {
            return check.get();
        } finally {
            DEADLINE.remove();
        }
    }

    /**
     * An Error, not an exception: the library catches and logs exceptions a pattern throws (with the tenant's
     * pattern, at ERROR, once per event); this ends the check instead.
     */
    static final class TooSlow extends Error {

        TooSlow() {
            super("a pattern ran past its deadline", null, false, false);
        }
    }

    /** Text that throws {@link TooSlow} when it is read past the deadline. */
    private record TimedText(CharSequence text, long deadline) implements CharSequence {

        @Override
        public char charAt(int index) {
            if (System.nanoTime() > deadline) { // a few ns a character: patterns are not the hot path
                throw new TooSlow();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new TimedText(text.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
