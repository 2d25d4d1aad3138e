package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.herald.api.InvalidInput;

/** A legacy signature header may not take a name Herald sends itself or that belongs to the connection. */
class LegacyHeaderRulesTest {

    @ParameterizedTest
    @ValueSource(strings = { "webhook-id", "webhook-test", "Webhook-Signature", "traceparent", "tracestate",
            "content-type", "Content-Encoding", "host", "transfer-encoding", "user-agent" })
    void namesHeraldSendsAreRefused(String name) {
        InvalidInput refused = assertThrows(InvalidInput.class, () -> LegacyHeaderRules.check(name));
        assertEquals("legacySignatureHeader: must not be a header Herald already sends ("
                + name.toLowerCase(java.util.Locale.ROOT) + ")", refused.getMessage());
    }

    @Test
    void anOrdinaryNameIsKeptInLowerCaseAndEmptyTurnsItOff() {
        assertEquals("x-oneroute-signature", LegacyHeaderRules.check(" X-OneRoute-Signature "));
        assertNull(LegacyHeaderRules.check(""));
    }
}
