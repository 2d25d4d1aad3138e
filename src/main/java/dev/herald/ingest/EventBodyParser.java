package dev.herald.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import dev.herald.api.InvalidInput;
import dev.herald.api.PayloadTooLarge;
import dev.herald.api.UnsupportedMediaType;

/**
 * Splits a request body (one JSON object, or an array of them) into events, keeping each object's exact bytes:
 * the receiver gets what the producer sent, not a re-serialisation. One pass over the tokens also refuses what
 * PostgreSQL cannot hold in text or compare ({@link StoredText}) and objects nested deeper than {@link #MAX_DEPTH},
 * naming the JSON path; errors never quote the parser's internals.
 */
final class EventBodyParser {

    /** Levels of nesting an event may have (the object itself is level 1). */
    static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = new JsonFactory();

    private final int maxEventSize;

    EventBodyParser(int maxEventSize) {
        this.maxEventSize = maxEventSize;
    }

    List<IncomingEvent> parse(byte[] body) {
        requireUtf8(body);
        try (JsonParser parser = FACTORY.createParser(body)) {
            JsonToken first = parser.nextToken();
            List<IncomingEvent> events = new ArrayList<>();
            if (first == JsonToken.START_OBJECT) {
                events.add(readObject(parser, body, ""));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    String path = "[" + events.size() + "]";
                    if (token != JsonToken.START_OBJECT) {
                        throw new InvalidInput(path, "must be a notification object");
                    }
                    events.add(readObject(parser, body, path));
                }
                if (events.isEmpty()) {
                    throw new InvalidInput("body", "must hold at least one notification object");
                }
            } else {
                throw new InvalidInput("body", "must be a notification object or an array of them");
            }
            if (parser.nextToken() != null) {
                throw new InvalidInput("body", "must hold one JSON value (found more after it)");
            }
            return events;
        } catch (StreamConstraintsException tooLong) {
            throw new InvalidInput("body", "holds a number or string longer than Herald reads");
        } catch (JsonProcessingException malformed) {
            throw new InvalidInput("body", "malformed JSON at line " + malformed.getLocation().getLineNr()
                    + ", column " + malformed.getLocation().getColumnNr() + ": " + plain(malformed));
        } catch (IOException e) {
            throw new InvalidInput("body", "unreadable");
        }
    }

    /**
     * JSON is UTF-8 (RFC 8259). A body in UTF-16 or UTF-32 starts with a byte order mark or has zero bytes among its
     * first four (its first character is ASCII): refused as such rather than read as broken UTF-8.
     */
    static void requireUtf8(byte[] body) {
        int n = Math.min(4, body.length);
        boolean zeroByte = false;
        for (int i = 0; i < n; i++) {
            zeroByte |= body[i] == 0;
        }
        boolean utf16Mark = n >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
                || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE));
        if (zeroByte || utf16Mark) {
            throw new UnsupportedMediaType("body", "must be JSON in UTF-8; this looks like UTF-16 or UTF-32"
                    + " (a byte order mark, or zero bytes in its first characters)");
        }
    }

    private IncomingEvent readObject(JsonParser parser, byte[] body, String path) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        int depth = 1;
        Integer providerId = null;
        String providerIdRule = "is required";
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            switch (token) {
                case START_OBJECT, START_ARRAY -> {
                    if (++depth > MAX_DEPTH) {
                        throw new InvalidInput(where(path, parser.getParsingContext()), "nested more than "
                                + MAX_DEPTH + " levels deep; events may nest at most " + MAX_DEPTH);
                    }
                }
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME -> {
                    StoredText.require(parser.currentName(), "a member name", where(path, parser.getParsingContext()));
                    if (depth == 1 && parser.currentName().equals("providerId")) {
                        JsonToken value = parser.nextToken();
                        providerIdRule = value == JsonToken.VALUE_NULL ? "is required" : "must be a positive integer";
                        providerId = positiveInt(parser, value);
                        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                            depth++;
                        } else if (value == JsonToken.VALUE_STRING) {
                            StoredText.require(parser.getText(), "a string", where(path, parser.getParsingContext()));
                        }
                    }
                }
                case VALUE_STRING -> StoredText.require(parser.getText(), "a string",
                        where(path, parser.getParsingContext()));
                default -> {
                    // numbers, booleans and null are stored as they are
                }
            }
        }
        int end = (int) parser.currentLocation().getByteOffset();
        if (end - start > maxEventSize) {
            throw new PayloadTooLarge((path.isEmpty() ? "body" : path) + ": the event is " + (end - start)
                    + " bytes; the limit is " + maxEventSize + " (herald.ingest.max-event-size)");
        }
        String field = path.isEmpty() ? "providerId" : path + ".providerId";
        if (providerId == null) {
            throw new InvalidInput(field, providerIdRule);
        }
        return new IncomingEvent(field, providerId, new String(body, start, end - start, StandardCharsets.UTF_8));
    }

    private static Integer positiveInt(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
            return null;
        }
        int id = parser.getIntValue();
        return id >= 1 ? id : null;
    }

    /**
     * The JSON path of the parser's position within one event, as errors name fields: {@code data.message}, or
     * {@code [2].data.items[0]} in the third event of an array. Contexts above the event (the request's array, the
     * root) are named by {@code eventPath}.
     */
    static String where(String eventPath, JsonStreamContext context) {
        int eventDepth = eventPath.isEmpty() ? 1 : 2;
        StringBuilder inside = new StringBuilder();
        for (JsonStreamContext at = context; at != null && at.getNestingDepth() >= eventDepth; at = at.getParent()) {
            if (at.inObject() && at.getCurrentName() != null) {
                inside.insert(0, "." + printable(at.getCurrentName()));
            } else if (at.inArray()) {
                inside.insert(0, "[" + Math.max(0, at.getCurrentIndex()) + "]");
            }
        }
        String path = eventPath + inside;
        path = path.startsWith(".") ? path.substring(1) : path;
        return path.isEmpty() ? "body" : path;
    }

    /** A member name as an error may quote it: what PostgreSQL or a terminal would choke on replaced by '?'. */
    private static String printable(String name) {
        StringBuilder out = new StringBuilder(Math.min(name.length(), 64));
        for (int i = 0; i < name.length() && i < 64; i++) {
            char c = name.charAt(i);
            out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return out.toString();
    }

    /** The parser's own words without its references to its settings or its source. */
    private static String plain(JsonProcessingException malformed) {
        String message = malformed.getOriginalMessage();
        int reference = message.indexOf(" (from `");
        if (reference >= 0) {
            message = message.substring(0, reference);
        }
        int source = message.indexOf("\n");
        return source >= 0 ? message.substring(0, source) : message;
    }
}
