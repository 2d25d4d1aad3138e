package dev.herald.delivery;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How a webhook's attempts are made and retried: its own retry schedule, jitter and timeout, or the deployment's
 * ({@code herald.delivery.retry-schedule}, no jitter, {@code herald.delivery.timeout}) where it has none.
 *
 * @param retrySchedule the waits after the 1st, 2nd, ... failure; a delivery gets one attempt more than it has waits
 * @param retryJitter   each wait is shortened by up to this fraction of it, at random (0: none)
 * @param timeout       how long one attempt may take, from its start to the end of the answer
 */
public record AttemptSettings(List<Duration> retrySchedule, double retryJitter, Duration timeout) {

    /** The longest timeout a webhook may have of its own (the seed spec's figure). */
    public static final Duration MAX_OWN_TIMEOUT = Duration.ofSeconds(30);

    /** The settings a webhook's row holds (NULL columns: the deployment's). */
    public static AttemptSettings of(Integer[] retryScheduleMs, Number retryJitter, Integer timeoutMs,
            DeliveryConfig deployment) {
        return new AttemptSettings(
                retryScheduleMs == null ? deployment.retrySchedule()
                        : Arrays.stream(retryScheduleMs).map(Duration::ofMillis).toList(),
                retryJitter == null ? 0 : retryJitter.doubleValue(),
                timeoutMs == null ? deployment.timeout() : Duration.ofMillis(timeoutMs));
    }

    /** The longest wait of the schedule: a receiver's Retry-After on a 503 is honoured up to it. */
    public Duration longestWait() {
        return retrySchedule.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    }
}
