package dev.herald.api;

import java.time.Duration;

/**
 * A limit reached: answered {@code 429} with {@code Retry-After} (whole seconds, at least 1), the message naming the
 * limit and its setting.
 */
public class TooManyRequests extends ApiException {

    private final Duration retryAfter;

    public TooManyRequests(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** Whole seconds until a retry may succeed, rounded up, at least 1. */
    public long retryAfterSeconds() {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    @Override
    public String classification() {
        return "TOO_MANY_REQUESTS";
    }

    @Override
    public int httpStatus() {
        return 429;
    }
}
