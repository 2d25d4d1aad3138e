package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * What one HTTP try came to.
 *
 * @param statusCode the answer's status, or null when there was no answer
 * @param error      null on success; else {@code http_<code>}, {@code timeout}, {@code network: <reason>} or
 *                   {@code blocked: <reason>} (refused before any connection)
 * @param retryAfter the answer's Retry-After, when it had one
 */
public record AttemptResult(Instant attemptedAt, int durationMs, Integer statusCode, String error,
        String responseExcerpt, Duration retryAfter) {

    static final String BLOCKED = "blocked: ";

    public AttemptResult(Instant attemptedAt, int durationMs, Integer statusCode, String error, String responseExcerpt) {
        this(attemptedAt, durationMs, statusCode, error, responseExcerpt, null);
    }

    static AttemptResult blocked(Instant attemptedAt, String reason) {
        return new AttemptResult(attemptedAt, 0, null, BLOCKED + reason, null);
    }

    public boolean succeeded() {
        return error == null;
    }

    /** Refused before connecting (an internal address, plain http): trying again will not help. */
    public boolean blocked() {
        return error != null && error.startsWith(BLOCKED);
    }

    public boolean gone() {
        return statusCode != null && statusCode == 410;
    }

    public boolean tooManyRequests() {
        return statusCode != null && statusCode == 429;
    }
}
