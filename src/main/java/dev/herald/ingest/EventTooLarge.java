package dev.herald.ingest;

import dev.herald.api.ApiException;

/** An event over {@code herald.ingest.max-event-size}. */
class EventTooLarge extends ApiException {

    EventTooLarge(String field, int size, int limit) {
        super(field + ": the event is " + size + " bytes; the limit is " + limit
                + " (herald.ingest.max-event-size)");
    }

    @Override
    public String classification() {
        return "PAYLOAD_TOO_LARGE";
    }

    @Override
    public int httpStatus() {
        return 413;
    }
}
