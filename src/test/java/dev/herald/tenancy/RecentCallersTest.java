package dev.herald.tenancy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Keys that authenticated lately, which pass from a throttled address: on a clock the test moves. */
class RecentCallersTest {

    @Test
    void aKeyIsKnownForTenMinutesAfterItsLastSuccess() {
        AtomicLong now = new AtomicLong(0);
        RecentCallers recent = new RecentCallers(now::get);
        Caller caller = Caller.application(7);
        recent.put("hash", caller);
        now.set(RecentCallers.KEPT.toMillis());
        assertEquals(caller, recent.get("hash"));
        now.set(RecentCallers.KEPT.toMillis() + 1);
        assertNull(recent.get("hash"));
        assertNull(recent.get("never seen"));
    }
}
