package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code herald.delivery.proxy} is read whole or refused naming the setting and the rule; its password never shows. */
class EgressProxySettingTest {

    @Test
    void aProxyWithAndWithoutCredentials() {
        EgressProxy plain = EgressProxy.parse("http://proxy.internal:3128");
        assertEquals("proxy.internal", plain.host());
        assertEquals(3128, plain.port());
        assertNull(plain.username());
        EgressProxy withCredentials = EgressProxy.parse(" http://egress:p%40ss%3Aword@10.0.0.5:8080/ ");
        assertEquals("egress", withCredentials.username());
        assertEquals("p@ss:word", withCredentials.password());
        assertEquals("http://egress:***@10.0.0.5:8080", withCredentials.toString());
        assertFalse(withCredentials.toString().contains("p@ss"));
        assertEquals("p@ss:word", withCredentials.options().getPassword());
    }

    @Test
    void anythingElseIsRefusedNamingTheSetting() {
        for (String value : new String[] {"https://proxy:443", "proxy:3128", "http://proxy", "http://proxy:3128/path",
                "http://user@proxy:3128", "socks5://proxy:1080", "http://proxy:3128?x=1"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> EgressProxy.parse(value), value);
            assertTrue(refused.getMessage().startsWith("herald.delivery.proxy: "), refused.getMessage());
        }
        assertNull(new EgressProxy.Setting().convert(" "));
    }
}
