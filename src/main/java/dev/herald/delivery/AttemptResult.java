package dev.herald.delivery;

import java.time.Instant;

/**
 * What one HTTP try came to.
 *
 * @param statusCode the answer's status, or null when there was no answer
 * @param error      null on success; else {@code http_<code>}, {@code timeout} or {@code network: <reason>}
 */
public record AttemptResult(Instant attemptedAt, int durationMs, Integer statusCode, String error,
        String responseExcerpt) {

    public boolean succeeded() {
        return error == null;
    }
}
