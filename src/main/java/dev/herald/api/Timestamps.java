package dev.herald.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Herald's clock for stored timestamps: millisecond precision, the precision its JSON shows. */
public final class Timestamps {

    private Timestamps() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
