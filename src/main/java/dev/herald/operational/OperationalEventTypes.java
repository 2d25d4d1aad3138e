package dev.herald.operational;

import java.util.List;

import dev.herald.api.InvalidInput;

/** The operational event types (db/functions/operational.sql makes the events), and the rule for subscribing. */
public final class OperationalEventTypes {

    public static final List<String> ALL = List.of("webhook.failing", "webhook.disabled", "webhook.recovered",
            "delivery.exhausted");

    private OperationalEventTypes() {
    }

    /** The types as stored: at least one, each known, distinct and sorted. */
    public static String[] check(String field, List<String> types) {
        if (types == null || types.isEmpty()) {
            throw new InvalidInput(field, "must list at least one of " + String.join(", ", ALL));
        }
        for (String type : types) {
            if (!ALL.contains(type)) {
                throw new InvalidInput(field, "each value must be one of " + String.join(", ", ALL) + "; got "
                        + (type == null ? "null" : '"' + type.substring(0, Math.min(type.length(), 64)) + '"'));
            }
        }
        return types.stream().distinct().sorted().toArray(String[]::new);
    }
}
