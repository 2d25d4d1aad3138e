package dev.herald.quota;

import dev.herald.api.ApiException;

/** A quota of the application reached: the message names the quota, its figure and its setting. */
public class QuotaExceeded extends ApiException {

    public QuotaExceeded(String message) {
        super(message);
    }

    @Override
    public String classification() {
        return "QUOTA_EXCEEDED";
    }

    @Override
    public int httpStatus() {
        return 403;
    }
}
