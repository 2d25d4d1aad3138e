package dev.herald.eventtype;

import java.util.List;
import java.util.regex.Pattern;

import dev.herald.api.InvalidInput;

/**
 * What an event type's name may be ({@code order.created}: dot-separated parts of letters, digits, {@code _} and
 * {@code -}), and what a webhook may subscribe to: a name, or every name under a prefix ({@code order.*}).
 */
public final class EventTypeNames {

    public static final int MAX_LENGTH = 128;
    public static final int MAX_SUBSCRIPTIONS = 50;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final String RULE = "dot-separated parts of letters, digits, _ and - (order.created), at most "
            + MAX_LENGTH + " characters";

    private EventTypeNames() {
    }

    /** The name, when it follows the rule; an InvalidInput naming {@code field} otherwise. */
    public static String check(String field, String name) {
        if (name == null || name.length() > MAX_LENGTH || !NAME.matcher(name).matches()) {
            throw new InvalidInput(field, "must be an event type name: " + RULE);
        }
        return name;
    }

    /**
     * A webhook's subscriptions as stored: null for every event of its provider (null or an empty list given), else
     * each a name or {@code prefix.*}, distinct and sorted.
     */
    public static String[] checkSubscriptions(String field, List<String> subscriptions) {
        if (subscriptions == null || subscriptions.isEmpty()) {
            return null;
        }
        if (subscriptions.size() > MAX_SUBSCRIPTIONS) {
            throw new InvalidInput(field, "must list at most " + MAX_SUBSCRIPTIONS + " event types");
        }
        for (String subscription : subscriptions) {
            String name = subscription != null && subscription.endsWith(".*")
                    ? subscription.substring(0, subscription.length() - 2) : subscription;
            if (name == null || name.length() > MAX_LENGTH || !NAME.matcher(name).matches()) {
                throw new InvalidInput(field, "each value must be an event type name (" + RULE
                        + ") or a prefix followed by .* (order.*)");
            }
        }
        return subscriptions.stream().distinct().sorted().toArray(String[]::new);
    }
}
