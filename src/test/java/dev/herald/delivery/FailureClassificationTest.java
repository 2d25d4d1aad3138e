package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;

import org.junit.jupiter.api.Test;

/** How a failed attempt is named in the attempt log: short, and storable in a PostgreSQL text column. */
class FailureClassificationTest {

    @Test
    void namesTheFailureAndReplacesNulWhichPostgresqlTextCannotHold() {
        assertEquals("network: connection refused", WebhookSender.classify(new ConnectException("refused")));
        assertEquals("network: IOException: bad\uFFFDbyte", WebhookSender.classify(new IOException("bad\u0000byte")));
        assertEquals(209, WebhookSender.classify(new IOException("x".repeat(500))).length(), "cut at 200 + prefix");
    }
}
