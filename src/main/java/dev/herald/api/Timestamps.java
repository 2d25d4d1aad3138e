package dev.herald.api;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Herald's clock for stored timestamps: millisecond precision, the precision its JSON shows. */
public final class Timestamps {

    /** How GraphQL shows times: OsmoX's "2024-07-15T05:04:00.000Z", always with milliseconds (UTC). */
    public static final String JSON_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

    private Timestamps() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
