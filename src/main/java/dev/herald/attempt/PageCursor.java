package dev.herald.attempt;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

import dev.herald.api.InvalidInput;

/**
 * Where a page of the attempt log ended: the last delivery's creation time (to the microsecond, as PostgreSQL keeps
 * it) and id, the attempt log's order. Written as {@code <microseconds since the epoch>.<id>}; clients pass it back
 * as they got it.
 */
record PageCursor(long createdMicros, long id) {

    static PageCursor after(DeliveryView last) {
        Instant created = last.createdAt();
        return new PageCursor(ChronoUnit.MICROS.between(Instant.EPOCH, created), Long.parseLong(last.id()));
    }

    static PageCursor parseOptional(String raw) {
        if (raw == null) {
            return null;
        }
        String[] parts = raw.split("\\.", -1);
        try {
            if (parts.length == 2) {
                return new PageCursor(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidInput("after", "must be the nextCursor of a page of deliveries");
    }

    OffsetDateTime createdAt() {
        return Instant.EPOCH.plus(createdMicros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return createdMicros + "." + id;
    }
}
