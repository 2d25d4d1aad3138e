package dev.herald.ingest;

import dev.herald.api.ApiException;

/** An idempotency key used again, within its window, with another body: a producer's bug, never stored twice. */
class IdempotencyConflict extends ApiException {

    IdempotencyConflict(String key) {
        super("Idempotency-Key: \"" + key + "\" was already used with another body within"
                + " herald.ingest.idempotency-window");
    }

    @Override
    public String classification() {
        return "CONFLICT";
    }

    @Override
    public int httpStatus() {
        return 409;
    }
}
