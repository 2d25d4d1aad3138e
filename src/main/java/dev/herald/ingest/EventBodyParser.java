package dev.herald.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.api.InvalidInput;

/**
 * Splits a request body (one JSON object, or an array of them) into events, keeping each object's exact bytes:
 * the receiver gets what the producer sent, not a re-serialisation.
 */
final class EventBodyParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private final int maxEventSize;

    EventBodyParser(int maxEventSize) {
        this.maxEventSize = maxEventSize;
    }

    List<IncomingEvent> parse(byte[] body) {
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
        } catch (JsonProcessingException malformed) {
            throw new InvalidInput("body", "malformed JSON: " + malformed.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInput("body", "unreadable: " + e.getMessage());
        }
    }

    private IncomingEvent readObject(JsonParser parser, byte[] body, String path) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        JsonNode object = MAPPER.readTree(parser);
        int end = (int) parser.currentLocation().getByteOffset();
        if (end - start > maxEventSize) {
            throw new EventTooLarge(path.isEmpty() ? "body" : path, end - start, maxEventSize);
        }
        String field = path.isEmpty() ? "providerId" : path + ".providerId";
        JsonNode providerId = object.get("providerId");
        if (providerId == null || providerId.isNull()) {
            throw new InvalidInput(field, "is required");
        }
        if (!providerId.isIntegralNumber() || !providerId.canConvertToInt() || providerId.intValue() < 1) {
            throw new InvalidInput(field, "must be a positive integer");
        }
        return new IncomingEvent(field, providerId.intValue(), new String(body, start, end - start, StandardCharsets.UTF_8));
    }
}
