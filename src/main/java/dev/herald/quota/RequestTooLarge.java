package dev.herald.quota;

import dev.herald.api.ApiException;

/** A request larger than a quota allows whatever the moment: answered 413, naming the quota. */
public class RequestTooLarge extends ApiException {

    public RequestTooLarge(String message) {
        super(message);
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
