package dev.herald.tenancy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.herald.api.TooManyRequests;

/** The per-address throttle of failed authentications, on a clock the test moves. */
class FailedAuthenticationsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FailedAuthentications throttle = new FailedAuthentications(3, now::get);

    @Test
    void anAddressIsRefusedAfterItsFailuresUntilItsMinuteEnds() {
        for (int i = 0; i < 3; i++) {
            assertDoesNotThrow(() -> throttle.requireAllowed("192.0.2.1"));
            throttle.failed("192.0.2.1");
        }
        now.addAndGet(20_000);
        TooManyRequests refused = assertThrows(TooManyRequests.class, () -> throttle.requireAllowed("192.0.2.1"));
        assertEquals(40, refused.retryAfterSeconds(), "the rest of the minute that began with the first failure");
        assertTrue(refused.getMessage().contains("herald.tenancy.max-failed-authentications-per-minute"));
        assertDoesNotThrow(() -> throttle.requireAllowed("192.0.2.2"), "another address is not refused");
        now.addAndGet(40_000);
        assertDoesNotThrow(() -> throttle.requireAllowed("192.0.2.1"), "a new minute");
    }

    @Test
    void failuresInAnEndedMinuteStartANewCount() {
        throttle.failed("192.0.2.1");
        throttle.failed("192.0.2.1");
        now.addAndGet(61_000);
        throttle.failed("192.0.2.1");
        throttle.failed("192.0.2.1");
        assertDoesNotThrow(() -> throttle.requireAllowed("192.0.2.1"));
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("2001:db8:0:1::" + Integer.toHexString(i + 1));
        }
        assertTrue(throttle.throttled("2001:db8:0:1:ffff::9"), "another address of the same /64");
        assertTrue(!throttle.throttled("2001:db8:0:2::1"), "another /64");
    }

    @Test
    void aFullTableKeepsTheAddressesItThrottles() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("192.0.2.1");
        }
        for (int i = 0; i < FailedAuthentications.TRACKED * 2; i++) {
            throttle.failed("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
        }
        assertTrue(throttle.throttled("192.0.2.1"), "flooding the table does not free a guesser");
    }

    @Test
    void memoryIsBoundedWhateverTheNumberOfAddresses() {
        for (int i = 0; i < FailedAuthentications.TRACKED * 2; i++) {
            throttle.failed("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255));
        }
        assertTrue(throttle.tracked() <= FailedAuthentications.TRACKED);
    }
}
