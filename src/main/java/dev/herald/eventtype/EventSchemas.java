package dev.herald.eventtype;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import dev.herald.api.InvalidInput;

/**
 * The JSON Schemas of event types: checked when a type is set, compiled once per replica, and applied to each event
 * of that type at ingest. A schema is self-contained: Herald fetches nothing ({@code $ref} must point inside it,
 * {@code $id} is refused, remote retrieval is off), so a schema cannot make Herald reach any address. Its patterns
 * run under a deadline ({@link BoundedPatterns}): one that backtracks for ever costs its own request a refusal, not
 * a thread.
 */
public final class EventSchemas {

    public static final int MAX_SCHEMA_LENGTH = 64 * 1024;
    private static final Set<String> DIALECTS = Set.of("https://json-schema.org/draft/2020-12/schema",
            "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-07/schema");
    private static final List<String> REFERENCES = List.of("$ref", "$dynamicRef", "$recursiveRef");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .regularExpressionFactory(BoundedPatterns.FACTORY).build()));

    private EventSchemas() {
    }

    /** The schema of {@code text}, or an InvalidInput naming {@code field} and the rule it breaks. */
    public static Schema compile(String field, String text) {
        if (text.length() > MAX_SCHEMA_LENGTH) {
            throw new InvalidInput(field, "must be at most " + MAX_SCHEMA_LENGTH + " characters");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInput(field, "must be JSON: " + e.getOriginalMessage());
        }
        if (node == null || !(node.isObject() || node.isBoolean())) {
            throw new InvalidInput(field, "must be a JSON Schema: an object (or true, false)");
        }
        checkSelfContained(field, node, "#");
        try {
            return REGISTRY.getSchema(node);
        } catch (SchemaException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidInput(field, "is not a JSON Schema Herald can apply: " + e.getMessage());
        }
    }

    /**
     * The first way {@code json} breaks {@code schema}, at its JSON Pointer ({@code /amount: string found, number
     * expected}), or null
     * when it satisfies it. A check longer than {@link BoundedPatterns#DEADLINE_MS} in all fails, saying so.
     */
    public static String firstFailure(Schema schema, String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return "(top level): not JSON"; // parsed once already at ingest
        }
        try {
            List<Error> errors = BoundedPatterns.within(() -> schema.validate(node));
            if (errors.isEmpty()) {
                return null;
            }
            Error first = errors.get(0);
            String at = first.getInstanceLocation().toString();
            return (at.isEmpty() ? "(top level)" : at) + ": " + first.getMessage();
        } catch (BoundedPatterns.TooSlow slow) {
            return "(top level): checking the schema took longer than " + BoundedPatterns.DEADLINE_MS
                    + " ms (a pattern that backtracks?)";
        }
    }

    /**
     * Refuses what would make the schema depend on anything but itself, and patterns Java cannot compile (they
     * would otherwise fail at ingest).
     */
    private static void checkSelfContained(String field, JsonNode node, String at) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkSelfContained(field, node.get(i), at + "/" + i);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext();) {
            Map.Entry<String, JsonNode> member = members.next();
            String key = member.getKey();
            JsonNode value = member.getValue();
            if (REFERENCES.contains(key) && (!value.isTextual() || !value.asText().startsWith("#"))) {
                throw new InvalidInput(field, key + " at " + at + " must point inside the schema (#...): Herald"
                        + " fetches nothing");
            }
            if (key.equals("$id")) {
                throw new InvalidInput(field, "$id at " + at + " is not supported: a schema here is one document");
            }
            if (key.equals("$schema") && (!value.isTextual() || !DIALECTS.contains(value.asText()))) {
                throw new InvalidInput(field, "$schema must be one of " + String.join(", ", DIALECTS.stream()
                        .sorted().toList()));
            }
            if (key.equals("pattern") && value.isTextual()) {
                compilePattern(field, value.asText(), at + "/pattern");
            }
            if (key.equals("patternProperties") && value.isObject()) {
                value.fieldNames().forEachRemaining(
                        pattern -> compilePattern(field, pattern, at + "/patternProperties"));
            }
            checkSelfContained(field, value, at + "/" + key);
        }
    }

    private static void compilePattern(String field, String pattern, String at) {
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new InvalidInput(field, "the pattern at " + at + " is not a regular expression: "
                    + e.getDescription());
        }
    }
}
