package dev.herald.delivery;

import java.time.Duration;

/**
 * What one HTTP try came to.
 *
 * @param statusCode the answer's status, or null when there was no answer
 * @param error      null on success; else {@code http_<code>}, {@code timeout}, {@code network: <reason>},
 *                   {@code blocked: <reason>} (refused before any connection), {@code unsendable: <reason>} (the
 *                   request could not be made, e.g. an undecryptable signing secret) or {@code not sent: <reason>}
 *                   (the claim ended or went stale before the attempt started: it is given back, not counted) or
 *                   {@code internal: <exception>} (a failure nobody foresaw; retried like a network error)
 * @param retryAfter the answer's Retry-After, when it had one
 */
public record AttemptResult(int durationMs, Integer statusCode, String error,
        String responseExcerpt, Duration retryAfter) {

    static final String BLOCKED = "blocked: ";
    static final String UNSENDABLE = "unsendable: ";
    static final String NOT_SENT = "not sent: ";
    static final String INTERNAL = "internal: ";

    public AttemptResult(int durationMs, Integer statusCode, String error, String responseExcerpt) {
        this(durationMs, statusCode, error, responseExcerpt, null);
    }

    static AttemptResult blocked(String reason) {
        return new AttemptResult(0, null, BLOCKED + reason, null);
    }

    /** The request could not be made; retrying cannot help until an operator acts. */
    public static AttemptResult unsendable(String reason) {
        return new AttemptResult(0, null, UNSENDABLE + reason, null);
    }

    /** A failure nobody foresaw while preparing or sending (a bug): retried on the schedule. */
    public static AttemptResult internal(String exception) {
        return new AttemptResult(0, null, INTERNAL + exception, null);
    }

    public boolean internalFailure() {
        return error != null && error.startsWith(INTERNAL);
    }

    static AttemptResult notSent(String reason) {
        return new AttemptResult(0, null, NOT_SENT + reason, null);
    }

    public boolean succeeded() {
        return error == null;
    }

    /** Refused before connecting (an internal address, plain http): trying again will not help. */
    public boolean blocked() {
        return error != null && error.startsWith(BLOCKED);
    }

    public boolean unsendable() {
        return error != null && error.startsWith(UNSENDABLE);
    }

    /** Final at once: refused or impossible, whatever attempts are left. */
    public boolean finalAtOnce() {
        return blocked() || unsendable();
    }

    /** False when no request left: the claim is given back and the attempt does not count. */
    public boolean sent() {
        return error == null || !error.startsWith(NOT_SENT);
    }

    /**
     * Whether the receiver had a part in this result (an answer, a timeout, a network failure): not a request Herald
     * refused or could not make. Only these count in the endpoint's health.
     */
    public boolean reachedReceiver() {
        return sent() && !blocked() && !unsendable() && !internalFailure();
    }

    public boolean gone() {
        return statusCode != null && statusCode == 410;
    }

    public boolean tooManyRequests() {
        return statusCode != null && statusCode == 429;
    }

    /** A 503 Service Unavailable: with a Retry-After, honoured as a 429's. */
    public boolean unavailable() {
        return statusCode != null && statusCode == 503;
    }
}
