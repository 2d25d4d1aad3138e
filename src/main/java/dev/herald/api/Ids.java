package dev.herald.api;

/** GraphQL {@code ID}s (webhooks, events, deliveries) travel as strings; they are positive longs inside. */
public final class Ids {

    private Ids() {
    }

    public static long parse(String field, String raw) {
        try {
            long id = Long.parseLong(raw.strip());
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // reported below
        }
        throw new InvalidInput(field, "must be a positive integer id");
    }

    public static Long parseOptional(String field, String raw) {
        return raw == null ? null : parse(field, raw);
    }
}
