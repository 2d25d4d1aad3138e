package dev.herald.delivery;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a JSON text exactly as JavaScript's {@code JSON.stringify(JSON.parse(json))} would (Node 20). OneRoute-style
 * receivers check a hex HMAC-SHA512 of {@code JSON.stringify(req.body)} after Express parsed the body, so a body signed
 * with the legacy signature must travel in that compact form, whatever whitespace the producer used.
 *
 * <p>What JavaScript does and this class copies: no whitespace; object keys in property order (array-index keys first
 * in ascending numeric order, then the others in first-insertion order, the last duplicate's value winning); numbers
 * as IEEE doubles printed by Number::toString, infinities as {@code null}; strings with only the escapes
 * JSON.stringify writes. Input that JSON.parse refuses is refused with an {@link IllegalArgumentException}.
 *
 * <p>Parsing and writing both use explicit stacks, so deep nesting cannot overflow the Java stack.
 */
public final class CompactJson {

    private static final long MAX_ARRAY_INDEX = 4294967294L; // 2^32 - 2
    private static final double TWO_POW_53 = 9007199254740992d;
    private static final long SIGNIFICAND_BITS = 0x000F_FFFF_FFFF_FFFFL;

    private final String text;
    private int pos;

    private CompactJson(String text) {
        this.text = text;
    }

    /** {@code JSON.stringify(JSON.parse(json))}; throws {@link IllegalArgumentException} where JSON.parse would throw. */
    public static String stringify(String json) {
        if (json == null) {
            throw new IllegalArgumentException("no JSON text");
        }
        StringBuilder out = new StringBuilder(json.length());
        write(new CompactJson(json).parseDocument(), out);
        return out.toString();
    }

    // ---- parsing: values become scalars already in their output form (String), List or LinkedHashMap ----

    private Object parseDocument() {
        skipWhitespace();
        Object value = parseValue();
        skipWhitespace();
        if (pos < text.length()) {
            throw error("unexpected text after the JSON value");
        }
        return value;
    }

    /** Iterative: open containers wait on {@code open}, object keys whose value is still being read on {@code keys}. */
    private Object parseValue() {
        Deque<Object> open = new ArrayDeque<>();
        Deque<String> keys = new ArrayDeque<>();
        while (true) {
            Object value;
            char c = peek();
            if (c == '{' || c == '[') {
                pos++;
                skipWhitespace();
                char close = c == '{' ? '}' : ']';
                if (pos < text.length() && text.charAt(pos) == close) {
                    pos++;
                    value = c == '{' ? new LinkedHashMap<String, Object>() : new ArrayList<>();
                } else {
                    open.push(c == '{' ? new LinkedHashMap<String, Object>() : new ArrayList<>());
                    if (c == '{') {
                        keys.push(parseKey());
                    }
                    continue;
                }
            } else {
                value = parseScalar(c);
            }
            // hand the finished value to its container; each container this closes is in turn a finished value
            while (true) {
                if (open.isEmpty()) {
                    return value;
                }
                Object container = open.peek();
                add(container, keys, value);
                skipWhitespace();
                char next = peek();
                pos++;
                if (next == ',') {
                    skipWhitespace();
                    if (container instanceof Map) {
                        keys.push(parseKey());
                    }
                    break;
                }
                if (next != (container instanceof Map ? '}' : ']')) {
                    throw error("expected ',' or '" + (container instanceof Map ? '}' : ']') + "'");
                }
                value = open.pop();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void add(Object container, Deque<String> keys, Object value) {
        if (container instanceof Map) {
            // LinkedHashMap.put keeps a repeated key where it first appeared, with the new value: as JSON.parse does
            ((Map<String, Object>) container).put(keys.pop(), value);
        } else {
            ((List<Object>) container).add(value);
        }
    }

    /** A key, its colon and the whitespace up to its value. */
    private String parseKey() {
        if (peek() != '"') {
            throw error("expected a string key");
        }
        String key = parseString();
        skipWhitespace();
        if (peek() != ':') {
            throw error("expected ':'");
        }
        pos++;
        skipWhitespace();
        return key;
    }

    private String parseScalar(char c) {
        if (c == '"') {
            StringBuilder out = new StringBuilder();
            quote(parseString(), out);
            return out.toString();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return parseNumber();
        }
        for (String literal : new String[] {"true", "false", "null"}) {
            if (text.startsWith(literal, pos)) {
                pos += literal.length();
                return literal;
            }
        }
        throw error("unexpected character");
    }

    /** The string's value (UTF-16 units, as a JS string holds them); {@code pos} is on the opening quote. */
    private String parseString() {
        pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return value.toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in string");
            }
            value.append(c == '\\' ? parseEscape() : c);
        }
    }

    private char parseEscape() {
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        char c = text.charAt(pos++);
        switch (c) {
            case '"': return '"';
            case '\\': return '\\';
            case '/': return '/';
            case 'b': return '\b';
            case 'f': return '\f';
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'u': return parseHex4();
            default: throw error("bad escape");
        }
    }

    private char parseHex4() {
        if (pos + 4 > text.length()) {
            throw error("bad \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(pos++);
            int digit = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : -1; // ASCII only: Character.digit would take other scripts' digits
            if (digit < 0) {
                throw error("bad \\u escape");
            }
            code = code * 16 + digit;
        }
        return (char) code;
    }

    /** JSON's number grammar, checked here because Double.parseDouble accepts more; the value then printed as JS does. */
    private String parseNumber() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peekDigit()) {
            skipDigits();
        } else {
            throw error("bad number");
        }
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            requireDigits();
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            requireDigits();
        }
        return numberToString(text.substring(start, pos));
    }

    private void requireDigits() {
        if (!peekDigit()) {
            throw error("bad number");
        }
        skipDigits();
    }

    private void skipDigits() {
        while (peekDigit()) {
            pos++;
        }
    }

    private boolean peekDigit() {
        return pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9';
    }

    /** JSON.parse's whitespace is exactly these four; a BOM or NBSP is an error. */
    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        if (pos >= text.length()) {
            throw error("unexpected end of JSON input");
        }
        return text.charAt(pos);
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("not valid JSON: " + what + " at position " + Math.min(pos, text.length()));
    }

    // ---- numbers: ECMAScript Number::toString ----

    /** Number::toString of the double nearest to a JSON number literal. */
    static String numberToString(String literal) {
        double v = Double.parseDouble(literal); // correctly rounded
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null"; // JSON.stringify writes non-finite numbers as null
        }
        if (v == 0) {
            return "0"; // -0 included
        }
        String sign = v < 0 ? "-" : "";
        double abs = Math.abs(v);
        if (abs < TWO_POW_53 && abs == Math.rint(abs)) {
            return sign + (long) abs; // exact integers print as themselves
        }
        BigDecimal shortest = abs >= Double.MIN_NORMAL ? fewDigits(literal) : null;
        if (shortest == null) {
            shortest = shortestRoundTrip(abs);
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int n = digits.length() - shortest.scale(); // abs = 0.digits * 10^n
        return sign + format(digits, n);
    }

    /**
     * The literal's own digits when it has at most 15 significant ones: for a normal double no other decimal of 15
     * digits or fewer parses to the same double (15 is DBL_DIG), so they are the shortest. The common case, and cheap.
     */
    private static BigDecimal fewDigits(String literal) {
        BigDecimal value = new BigDecimal(literal).abs().stripTrailingZeros();
        return value.precision() <= 15 ? value : null;
    }

    /**
     * The decimal with the fewest significant digits that parses back to {@code abs}, the nearest one if several
     * (JDK 17's Double.toString is not always shortest). If some precision works, every larger one does too, and 17
     * always does, so the fewest is found by bisection; for a normal double, 15 is tried first, as above.
     */
    private static BigDecimal shortestRoundTrip(double abs) {
        BigDecimal exact = new BigDecimal(abs);
        int fails = 0; // this precision and every lower one are known not to round-trip
        if (abs >= Double.MIN_NORMAL) {
            BigDecimal fifteen = roundTrip(exact, 15, abs);
            if (fifteen != null) {
                return fifteen;
            }
            fails = 15;
        }
        int works = 17;
        BigDecimal best = roundTrip(exact, works, abs);
        while (works - fails > 1) {
            int precision = (fails + works) >>> 1;
            BigDecimal candidate = roundTrip(exact, precision, abs);
            if (candidate == null) {
                fails = precision;
            } else {
                works = precision;
                best = candidate;
            }
        }
        return best;
    }

    /**
     * The decimal of {@code precision} significant digits nearest to {@code exact} if it parses back, else null. Just
     * below a power of two the doubles are twice as dense as above it, so when the nearest misses on the dense side,
     * the one on the other side may still parse back: there it is tried too.
     */
    private static BigDecimal roundTrip(BigDecimal exact, int precision, double abs) {
        BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
        if (parsesBackTo(nearest, abs)) {
            return nearest;
        }
        if ((Double.doubleToRawLongBits(abs) & SIGNIFICAND_BITS) != 0) {
            return null; // not a power of two: the other side is farther away within a symmetric interval
        }
        for (RoundingMode side : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
            BigDecimal candidate = exact.round(new MathContext(precision, side));
            if (!candidate.equals(nearest) && parsesBackTo(candidate, abs)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean parsesBackTo(BigDecimal candidate, double abs) {
        return Double.parseDouble(candidate.toString()) == abs;
    }

    /** Number::toString's layout of digits {@code d1..dk} times 10^(n-k). */
    private static String format(String digits, int n) {
        int k = digits.length();
        if (k <= n && n <= 21) {
            return digits + "0".repeat(n - k);
        }
        if (0 < n && n <= 21) {
            return digits.substring(0, n) + "." + digits.substring(n);
        }
        if (-6 < n && n <= 0) {
            return "0." + "0".repeat(-n) + digits;
        }
        String exponent = (n - 1 >= 0 ? "e+" : "e-") + Math.abs(n - 1);
        return k == 1 ? digits + exponent : digits.charAt(0) + "." + digits.substring(1) + exponent;
    }

    // ---- writing ----

    /** One open container being written: its remaining members and its closing bracket. */
    private static final class Frame {
        final Iterator<?> members;
        final char close;
        boolean first = true;

        Frame(Iterator<?> members, char close) {
            this.members = members;
            this.close = close;
        }
    }

    private static void write(Object root, StringBuilder out) {
        Deque<Frame> open = new ArrayDeque<>();
        start(root, out, open);
        while (!open.isEmpty()) {
            Frame frame = open.peek();
            if (!frame.members.hasNext()) {
                out.append(frame.close);
                open.pop();
                continue;
            }
            if (!frame.first) {
                out.append(',');
            }
            frame.first = false;
            Object member = frame.members.next();
            if (member instanceof Map.Entry) {
                Map.Entry<?, ?> entry = (Map.Entry<?, ?>) member;
                quote((String) entry.getKey(), out);
                out.append(':');
                member = entry.getValue();
            }
            start(member, out, open);
        }
    }

    /** Writes a scalar whole, or a container's opening bracket and pushes it. */
    private static void start(Object value, StringBuilder out, Deque<Frame> open) {
        if (value instanceof Map) {
            out.append('{');
            open.push(new Frame(propertyOrder((Map<?, ?>) value).iterator(), '}'));
        } else if (value instanceof List) {
            out.append('[');
            open.push(new Frame(((List<?>) value).iterator(), ']'));
        } else {
            out.append((String) value);
        }
    }

    /** JS own-property order: array-index keys ascending by value, then the rest in insertion order. */
    private static List<Map.Entry<?, ?>> propertyOrder(Map<?, ?> object) {
        List<Map.Entry<?, ?>> indices = new ArrayList<>();
        List<Map.Entry<?, ?>> others = new ArrayList<>();
        for (Map.Entry<?, ?> entry : object.entrySet()) {
            (isArrayIndex((String) entry.getKey()) ? indices : others).add(entry);
        }
        indices.sort((a, b) -> Long.compare(Long.parseLong((String) a.getKey()), Long.parseLong((String) b.getKey())));
        indices.addAll(others);
        return indices;
    }

    /** "0" to "4294967294" written canonically (no sign, no leading zero). */
    static boolean isArrayIndex(String key) {
        int length = key.length();
        if (length == 0 || length > 10 || (length > 1 && key.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Long.parseLong(key) <= MAX_ARRAY_INDEX;
    }

    /** JSON.stringify's string quoting: the short escapes, and other controls and lone surrogates as backslash-u escapes in lowercase hex. */
    private static void quote(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i)); // a well-formed pair stays raw
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
