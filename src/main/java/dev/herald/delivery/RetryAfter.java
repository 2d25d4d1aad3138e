package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads a Retry-After header (seconds or an HTTP date) and keeps it within bounds. */
public final class RetryAfter {

    /** Shorter waits are raised to this. */
    public static final Duration MIN = Duration.ofSeconds(1);
    /** Longer waits are cut to this: a receiver cannot park an endpoint for days. */
    public static final Duration MAX = Duration.ofMinutes(10);

    private RetryAfter() {
    }

    /** The wait, bounded; null when the header is missing or unreadable. */
    static Duration parse(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
        return wait.compareTo(MIN) < 0 ? MIN : wait.compareTo(MAX) > 0 ? MAX : wait;
    }
}
