package dev.herald.api.limits;

import java.util.Map;

import dev.herald.api.Pages;
import graphql.language.Argument;
import graphql.language.Field;
import graphql.language.IntValue;
import graphql.language.Value;
import graphql.language.VariableReference;

/**
 * What a field costs, read from its name and arguments alone (the measure runs before the schema is consulted):
 * every field 1; a list field its items times what each item selects, at the page size the request asks for (its
 * {@code limit}, its default, or the maximum when the size comes from a variable the request does not give); a few
 * fields that do work of their own per item ({@code health}: a row read and an hour of minutes; {@code
 * responseTimes}: an hour of the attempt log) more. Field names are
 * unique enough in Herald's schema for this: each name below means one field.
 */
final class FieldCosts {

    /** A list field: which argument sizes its page, and its default and largest size. */
    private record ListField(String sizeArgument, int defaultSize, int maxSize) {
    }

    private static final Map<String, ListField> LISTS = Map.of(
            "applications", new ListField("limit", Integer.parseInt(Pages.APPLICATIONS), Pages.MAX_APPLICATIONS),
            "providers", new ListField("limit", Integer.parseInt(Pages.PROVIDERS), Pages.MAX_PROVIDERS),
            "webhooks", new ListField("limit", Integer.parseInt(Pages.WEBHOOKS), Pages.MAX_WEBHOOKS),
            "deliveries", new ListField("limit", Integer.parseInt(Pages.DELIVERIES), Pages.MAX_DELIVERIES),
            "attempts", new ListField("last", Integer.parseInt(Pages.ATTEMPTS), Pages.MAX_ATTEMPTS),
            "failingEndpoints", new ListField("limit", Integer.parseInt(Pages.FAILING_ENDPOINTS),
                    Pages.MAX_FAILING_ENDPOINTS),
            "setAsideEvents", new ListField("limit", Integer.parseInt(Pages.SET_ASIDE_EVENTS),
                    Pages.MAX_SET_ASIDE_EVENTS),
            "portalTokens", new ListField("limit", Integer.parseInt(Pages.PORTAL_TOKENS), Pages.MAX_PORTAL_TOKENS),
            "minutes", new ListField(null, Pages.HEALTH_MINUTES, Pages.HEALTH_MINUTES),
            "responseTimes", new ListField(null, Pages.HEALTH_MINUTES, Pages.HEALTH_MINUTES));

    /** Work of their own per item, beyond the field itself. */
    private static final Map<String, Integer> WEIGHTS = Map.of("health", 10, "responseTimes", 10);

    private final Map<String, Object> variables;

    FieldCosts(Map<String, Object> variables) {
        this.variables = variables;
    }

    long weight(Field field) {
        return WEIGHTS.getOrDefault(field.getName(), 1);
    }

    /** How many items the field answers at most: 1 unless it is a list. */
    long items(Field field) {
        ListField list = LISTS.get(field.getName());
        if (list == null) {
            return 1;
        }
        if (list.sizeArgument() == null) {
            return list.defaultSize();
        }
        for (Argument argument : field.getArguments()) {
            if (argument.getName().equals(list.sizeArgument())) {
                return size(argument.getValue(), list);
            }
        }
        return list.defaultSize();
    }

    /** A size given: a literal, or a variable's value; over the maximum the resolver refuses it, so it counts as that. */
    private long size(Value<?> value, ListField list) {
        if (value instanceof IntValue literal) {
            return clamp(literal.getValue().longValue(), list);
        }
        if (value instanceof VariableReference variable && variables.get(variable.getName()) instanceof Number given) {
            return clamp(given.longValue(), list);
        }
        return list.maxSize();
    }

    private static long clamp(long size, ListField list) {
        return Math.max(0, Math.min(size, list.maxSize()));
    }
}
