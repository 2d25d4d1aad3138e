package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A replica's slots shared between applications: what the next claim may take, by application. */
class SlotSharesTest {

    @Test
    void anApplicationAtItsShareIsFullAndTheOthersKeepTheirs() {
        SlotShares shares = new SlotShares(10, 0.5);
        assertEquals(5, shares.share());
        for (int i = 0; i < 5; i++) {
            shares.started(7);
        }
        shares.started(8);
        SlotShares.Room room = shares.room();
        assertArrayEquals(new Integer[] { 7 }, room.full());
        assertEquals(5, room.unlisted(), "an application with nothing here may take its whole share");
        for (int i = 0; i < room.applications().length; i++) {
            assertEquals(room.applications()[i] == 7 ? 0 : 4, room.room()[i]);
        }
        shares.ended(7);
        assertEquals(0, shares.room().full().length);
        assertEquals(4, shares.held(7));
    }

    @Test
    void anApplicationWithNothingInFlightIsForgotten() {
        SlotShares shares = new SlotShares(512, 0.5);
        shares.started(3);
        shares.ended(3);
        assertEquals(0, shares.room().applications().length);
        assertEquals(0, shares.held(3));
    }

    @Test
    void theShareIsAtLeastOneSlot() {
        assertEquals(1, new SlotShares(1, 0.5).share());
        assertEquals(512, new SlotShares(512, 1.0).share());
    }
}
