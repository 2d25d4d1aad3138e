package dev.herald.tenancy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The admin key's rules at start: long enough in production, and never read as a portal token. */
class AdminKeyRuleTest {

    @Test
    void anAdminKeyThatLooksLikeAPortalTokenStopsTheReplicaInEveryMode() {
        for (boolean production : new boolean[] { true, false }) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> AdminKeyRule.check(Optional.of("hp_" + "k".repeat(40)), production));
            assertEquals("HERALD_ADMIN_KEY (herald.admin-key) must not start with hp_: that prefix marks portal tokens",
                    refused.getMessage());
        }
        assertDoesNotThrow(() -> AdminKeyRule.check(Optional.of("k".repeat(40)), true));
        assertDoesNotThrow(() -> AdminKeyRule.check(Optional.of("herald-dev-admin-key"), false));
    }

    @Test
    void aShortAdminKeyStopsAProductionReplicaOnly() {
        assertThrows(IllegalStateException.class, () -> AdminKeyRule.check(Optional.of("short"), true));
        assertDoesNotThrow(() -> AdminKeyRule.check(Optional.of("short"), false));
        assertDoesNotThrow(() -> AdminKeyRule.check(Optional.empty(), true));
    }
}
