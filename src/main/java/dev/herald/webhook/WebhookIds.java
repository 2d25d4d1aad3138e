package dev.herald.webhook;

import dev.herald.api.InvalidInput;

/** Webhook ids travel as GraphQL {@code ID}s (strings); they are positive longs inside. */
public final class WebhookIds {

    private WebhookIds() {
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
        throw new InvalidInput(field, "must be a webhook id (a positive integer)");
    }
}
