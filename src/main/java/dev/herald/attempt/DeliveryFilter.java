package dev.herald.attempt;

import dev.herald.api.InvalidInput;
import dev.herald.api.Ids;
import dev.herald.dispatch.DeliveryState;

/** The filters of the {@code deliveries} query, checked. */
record DeliveryFilter(Long webhookId, Long eventId, DeliveryState status, int limit, int offset) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    static DeliveryFilter of(String webhookId, String eventId, DeliveryState status, Integer limit, Integer offset) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new InvalidInput("limit", "must be between 1 and " + MAX_LIMIT);
        }
        int skip = offset == null ? 0 : offset;
        if (skip < 0) {
            throw new InvalidInput("offset", "must not be negative");
        }
        return new DeliveryFilter(Ids.parseOptional("webhookId", webhookId), Ids.parseOptional("eventId", eventId),
                status, size, skip);
    }
}
