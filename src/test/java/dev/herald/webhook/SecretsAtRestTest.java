package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.herald.webhook.SecretCipher.Material;

/** The key ring and the binding of ciphertexts to their webhook: pure logic, keys made here. */
class SecretsAtRestTest {

    private static final String OLD = "b2xkLWtleS1vZi0zMi1ieXRlcy1mb3ItdGVzdGluZy4=";
    private static final String NEW = "bmV3LWtleS1vZi0zMi1ieXRlcy1mb3ItdGVzdGluZy4=";

    private static SecretCipher cipher(List<String> ring, String single) {
        SecretCipher cipher = new SecretCipher();
        cipher.config = new SigningConfig() {
            @Override
            public Optional<List<String>> encryptionKeys() {
                return Optional.ofNullable(ring);
            }

            @Override
            public Optional<String> encryptionKey() {
                return Optional.ofNullable(single);
            }

            @Override
            public java.time.Duration rotationGrace() {
                return java.time.Duration.ofHours(24);
            }
        };
        cipher.loadKeys();
        return cipher;
    }

    @Test
    void aCiphertextOpensOnlyInTheRowItWasSealedFor() {
        SecretCipher cipher = cipher(List.of("k1:" + NEW), null);
        String sealed = cipher.encrypt(7, Material.SIGNING, "whsec_abc");
        assertTrue(sealed.startsWith("enc:v2:k1:"), sealed);
        assertEquals("whsec_abc", cipher.decrypt(7, Material.SIGNING, sealed));
        UnreadableSecret copied = assertThrows(UnreadableSecret.class, () -> cipher.decrypt(8, Material.SIGNING, sealed));
        assertTrue(copied.getMessage().contains("copied from another row"), copied.getMessage());
        assertThrows(UnreadableSecret.class, () -> cipher.decrypt(7, Material.HEADERS, sealed),
                "a secret is not a header list");
    }

    @Test
    void theNewestKeySealsAndOlderKeysStillOpen() {
        SecretCipher before = cipher(List.of("k1:" + OLD), null);
        String sealedBefore = before.encrypt(7, Material.HEADERS, "[]");
        SecretCipher after = cipher(List.of("k2:" + NEW, "k1:" + OLD), null);
        assertEquals("[]", after.decrypt(7, Material.HEADERS, sealedBefore));
        assertTrue(after.encrypt(7, Material.HEADERS, "[]").startsWith("enc:v2:k2:"));
        assertTrue(!after.isCurrent(sealedBefore) && after.isCurrent(after.encrypt(1, Material.SIGNING, "x")));
        SecretCipher withoutOld = cipher(List.of("k2:" + NEW), null);
        UnreadableSecret dropped = assertThrows(UnreadableSecret.class,
                () -> withoutOld.decrypt(7, Material.HEADERS, sealedBefore));
        assertTrue(dropped.getMessage().contains("sealed with key k1"), dropped.getMessage());
    }

    @Test
    void theSingleKeyIsTheRingsOldestNamedDefault() {
        SecretCipher single = cipher(null, OLD);
        String sealed = single.encrypt(3, Material.SIGNING, "s");
        assertTrue(sealed.startsWith("enc:v2:default:"), sealed);
        assertEquals("s", cipher(List.of("k2:" + NEW), OLD).decrypt(3, Material.SIGNING, sealed));
    }

    @Test
    void badRingsRefuseToStartNamingTheSetting() {
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> cipher(null, null));
        assertTrue(none.getMessage().contains("HERALD_SIGNING_ENCRYPTION_KEYS"), none.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> cipher(List.of("k1:" + OLD, "k1:" + NEW), null));
        assertTrue(twice.getMessage().contains("k1 is given twice"), twice.getMessage());
        IllegalStateException shortKey = assertThrows(IllegalStateException.class,
                () -> cipher(List.of("k1:c2hvcnQ="), null));
        assertTrue(shortKey.getMessage().contains("must be 32 bytes"), shortKey.getMessage());
    }
}
