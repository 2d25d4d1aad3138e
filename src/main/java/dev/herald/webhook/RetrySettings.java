package dev.herald.webhook;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

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
            Duration wait = parse("retrySchedule", waits.get(i));
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
        Duration timeout = parse("timeout", text);
        if (timeout.compareTo(SHORTEST_TIMEOUT) < 0 || timeout.compareTo(AttemptSettings.MAX_OWN_TIMEOUT) > 0) {
            throw new InvalidInput("timeout", "must be from 1s to 30s (got " + text + ")");
        }
        return (int) timeout.toMillis();
    }

    /** A duration as the API writes it: a whole number and a unit, ms, s, m, h or d. */
    static Duration parse(String field, String text) {
        Matcher matcher = text == null ? null : DURATION.matcher(text);
        if (matcher == null || !matcher.matches()) {
            throw new InvalidInput(field, "each duration must be a whole number and a unit: 500ms, 4s, 10m, 2h or 1d"
                    + " (got " + text + ")");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** The shortest way to write {@code millis} in the API's form: 4000 is 4s, 90000 is 90s, 3600000 is 1h. */
    static String format(long millis) {
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
