package dev.herald.testing;

import java.time.Duration;

/**
 * The one place a test lets time pass on purpose.
 *
 * <p>Tests wait for conditions, through Awaitility ({@code await().atMost(...).until(...)}), never for a guessed
 * time. A negative assertion, that something does not happen for a while, is a condition held for that while:
 * {@code await(why).during(time).atMost(...).untilAsserted(...)}, which fails as soon as it does happen.
 *
 * <p>What is left is time that is itself the subject of the test: a fault lasts that long (a database down for
 * five seconds, a replica frozen past its lease), a bucket of tokens must fill again, a producer or an attacker keeps
 * a pace. Those pauses come here, each with its reason, so that a fixed wait is never an unexplained guess at how
 * long something takes and can be found by its name.
 */
public final class Pause {

    private Pause() {
    }

    /**
     * Lets {@code time} pass, because the length of time is what the test is about.
     *
     * @param why what the time is, in the test's terms (for the reader: a pause without one is refused)
     */
    public static void because(Duration time, String why) throws InterruptedException {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("a pause says why the time itself matters");
        }
        if (time.isNegative()) {
            throw new IllegalArgumentException("a pause of " + time + ": " + why);
        }
        Thread.sleep(time.toMillis());
    }
}
