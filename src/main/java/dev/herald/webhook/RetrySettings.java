package dev.herald.webhook;

import java.time.Duration;
import java.util.List;

import dev.herald.api.Durations;
import dev.herald.api.InvalidInput;
import dev.herald.delivery.AttemptSettings;

/**
 * A webhook's own retry schedule (ms), retry jitter and attempt timeout (ms), checked; null: the deployment's. For an
 * update, the {@code ...Given} flags say which were given: the others keep what is stored. Durations are written as
 * a whole number and a unit ({@code 500ms}, {@code 4s}, {@code 10m}, {@code 2h}, {@code 1d}).
 */
record RetrySettings(Integer[] scheduleMs, Float jitter, Integer timeoutMs, boolean scheduleGiven,
        boolean jitterGiven, boolean timeoutGiven) {

    static final int MAX_RETRIES = 20;
    static final Duration SHORTEST_WAIT = Duration.ofSeconds(1);
    static final Duration LONGEST_SCHEDULE = Duration.ofDays(3);
    static final Duration SHORTEST_TIMEOUT = Duration.ofSeconds(1);

    /** The settings of an input: an empty schedule or timeout goes back to the deployment's. */
    static RetrySettings of(WebhookSettingsInput input) {
        return new RetrySettings(schedule(input.retrySchedule), jitter(input.retryJitter), timeout(input.timeout),
                input.retrySchedule != null, input.retryJitter != null, input.timeout != null);
    }

    private static Integer[] schedule(List<String> waits) {
        if (waits == null || waits.isEmpty()) {
            return null;
        }
        if (waits.size() > MAX_RETRIES) {
            throw new InvalidInput("retrySchedule", "must list at most " + MAX_RETRIES + " waits");
        }
        Integer[] millis = new Integer[waits.size()];
        long total = 0;
        for (int i = 0; i < millis.length; i++) {
            Duration wait = Durations.parse("retrySchedule", waits.get(i));
            if (wait.compareTo(SHORTEST_WAIT) < 0) {
                throw new InvalidInput("retrySchedule", "each wait must be at least 1s (got " + waits.get(i) + ")");
            }
            total += wait.toMillis();
            if (total > LONGEST_SCHEDULE.toMillis()) {
                throw new InvalidInput("retrySchedule", "its waits must add up to at most 3 days (3d)");
            }
            millis[i] = (int) wait.toMillis();
        }
        return millis;
    }

    private static Float jitter(Double fraction) {
        if (fraction == null || fraction == 0) {
            return null;
        }
        if (fraction.isNaN() || fraction < 0 || fraction > 1) {
            throw new InvalidInput("retryJitter", "must be a fraction from 0 (no jitter) to 1");
        }
        return fraction.floatValue();
    }

    private static Integer timeout(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Duration timeout = Durations.parse("timeout", text);
        if (timeout.compareTo(SHORTEST_TIMEOUT) < 0 || timeout.compareTo(AttemptSettings.MAX_OWN_TIMEOUT) > 0) {
            throw new InvalidInput("timeout", "must be from 1s to 30s (got " + text + ")");
        }
        return (int) timeout.toMillis();
    }
}
