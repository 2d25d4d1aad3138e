package dev.herald.testevent;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The body of a test event: a notification as OsmoX sends them, marked as a test in its text. */
final class SampleNotification {

    private SampleNotification() {
    }

    /** Compact JSON (as JSON.stringify writes it), so legacy receivers verify it as sent. */
    static String at(Instant now) {
        String time = now.truncatedTo(ChronoUnit.MILLIS).toString();
        return "{\"id\":0,\"providerId\":0,\"channelType\":1,\"data\":{\"from\":\"herald@example.com\","
                + "\"to\":\"receiver@example.com\",\"subject\":\"Herald test event\","
                + "\"text\":\"A test event sent by sendTestEvent: no notification was delivered.\"},"
                + "\"deliveryStatus\":5,\"result\":null,\"createdOn\":\"" + time + "\",\"updatedOn\":\"" + time
                + "\",\"createdBy\":\"herald\",\"updatedBy\":\"herald\",\"status\":1}";
    }
}
