package dev.herald.eventtype;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import dev.herald.api.InvalidInput;

/**
 * The JSON Schemas of event types: checked when a type is set, compiled once per replica, and applied to each event
 * of that type at ingest. A schema is self-contained: Herald fetches nothing ({@code $ref} must point inside it,
 * {@code $id} and anchors are refused, remote retrieval is off), so a schema cannot make Herald reach any address. Its cost is
 * bounded: no {@code $ref} leads back to where it came from, and the schema with every {@code $ref} written out has
 * at most {@link #MAX_EXPANDED_NODES} nodes (so {@code allOf} over shared definitions cannot multiply the work); its
 * patterns run under a deadline ({@link BoundedPatterns}). Whatever a check still throws (a pattern that overflows
 * the stack on a long text, a number the library cannot compare) refuses that event; it never becomes a 500.
 */
public final class EventSchemas {

    public static final int MAX_SCHEMA_LENGTH = 64 * 1024;
    public static final int MAX_EXPANDED_NODES = 5_000;
    private static final Set<String> DIALECTS = Set.of("https://json-schema.org/draft/2020-12/schema",
            "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-07/schema");
    /* dynamic references and anchors would let a schema reach parts of itself that the expansion count cannot see */
    private static final List<String> UNSUPPORTED = List.of("$dynamicRef", "$recursiveRef", "$anchor",
            "$dynamicAnchor", "$recursiveAnchor", "$id");
    /* keywords whose value is data, and keywords whose value maps names to schemas */
    private static final Set<String> DATA = Set.of("const", "enum", "default", "examples");
    private static final Set<String> NAMED_SCHEMAS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder().locale(Locale.ENGLISH)
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
        new Expansion(field, node).count(node, "#");
        try {
            Schema schema = REGISTRY.getSchema(node);
            schema.initializeValidators(); // resolves every $ref now: a dangling one is refused here, not at ingest
            return schema;
        } catch (RuntimeException e) {
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
        } catch (StackOverflowError | RuntimeException unchecked) {
            return "(top level): it could not be checked against the schema ("
                    + (unchecked instanceof StackOverflowError ? "a pattern ran too deep on a long text"
                            : unchecked.getClass().getSimpleName()) + ")";
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
            if (key.equals("$ref") && (!value.isTextual()
                    || !(value.asText().equals("#") || value.asText().startsWith("#/")))) {
                throw new InvalidInput(field, "$ref at " + at + " must point inside the schema (# or #/...): Herald"
                        + " fetches nothing");
            }
            if (UNSUPPORTED.contains(key)) {
                throw new InvalidInput(field, key + " at " + at + " is not supported: a schema here is one document,"
                        + " its references plain JSON Pointers");
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
            if (DATA.contains(key)) {
                continue; // values, not schemas (one a $ref points at is checked as the reference is followed)
            }
            if (NAMED_SCHEMAS.contains(key) && value.isObject()) {
                // names (of properties, definitions) are not keywords: a property may be called $id
                value.fields().forEachRemaining(named -> checkSelfContained(field, named.getValue(),
                        at + "/" + key + "/" + named.getKey()));
                continue;
            }
            checkSelfContained(field, value, at + "/" + key);
        }
    }

    /**
     * Walks the schema as validation would, every {@code $ref} followed: refuses one that leads back into itself and
     * a schema that written out would have more than {@link #MAX_EXPANDED_NODES} nodes.
     */
    private static final class Expansion {

        private final String field;
        private final JsonNode root;
        private final Map<String, Integer> sizes = new java.util.HashMap<>();
        private final java.util.Set<String> open = new java.util.HashSet<>();

        Expansion(String field, JsonNode root) {
            this.field = field;
            this.root = root;
        }

        int count(JsonNode node, String at) {
            int size = 1;
            if (node.isObject()) {
                JsonNode ref = node.get("$ref");
                if (ref != null && ref.isTextual()) {
                    size += followed(ref.asText(), at);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext();) {
                Map.Entry<String, JsonNode> member = members.next();
                // data is compared, not followed: it counts its size, and a "$ref" in it is a value
                size += DATA.contains(member.getKey()) ? sizeOf(member.getValue())
                        : count(member.getValue(), at + "/" + member.getKey());
                check(size);
            }
            for (int i = 0; node.isArray() && i < node.size(); i++) {
                size += count(node.get(i), at + "/" + i);
                check(size);
            }
            return size;
        }

        private static int sizeOf(JsonNode data) {
            int size = 1;
            for (JsonNode child : data) {
                size += sizeOf(child);
            }
            return size;
        }

        private int followed(String ref, String at) {
            Integer known = sizes.get(ref);
            if (known != null) {
                return known;
            }
            if (!open.add(ref)) {
                throw new InvalidInput(field, "$ref " + ref + " at " + at + " leads back into itself: recursive"
                        + " schemas are not supported");
            }
            JsonNode target;
            try {
                target = ref.equals("#") ? root : root.at(ref.substring(1));
            } catch (IllegalArgumentException malformed) {
                target = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            if (target.isMissingNode()) {
                throw new InvalidInput(field, "$ref " + ref + " at " + at + " points at nothing in the schema");
            }
            checkSelfContained(field, target, ref); // a $ref may make anything in the document a schema
            int size = count(target, ref);
            open.remove(ref);
            sizes.put(ref, size);
            return size;
        }

        private void check(int size) {
            if (size > MAX_EXPANDED_NODES) {
                throw new InvalidInput(field, "with every $ref written out it must have at most " + MAX_EXPANDED_NODES
                        + " nodes");
            }
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
