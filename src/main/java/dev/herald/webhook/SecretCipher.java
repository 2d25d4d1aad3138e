package dev.herald.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.runtime.Startup;

/**
 * Encrypts a webhook's secret material for the database (its signing secrets, its headers): AES-256-GCM with the
 * newest key of the {@link KeyRing}, a fresh 96-bit nonce each time, and the webhook's id and the kind of material as
 * associated data, so that a ciphertext opens only in the row it was written for (copied to another webhook, it
 * does not). Stored as {@code enc:v2:<key id>:<base64 nonce|ciphertext|tag>}; older keys of the ring still open
 * what they sealed, and values from before key ids ({@code enc:v1:}, unbound) open with any key of the ring until
 * {@code reencryptSecrets} rewrites them. Decrypted values are cached by webhook and stored text (a bounded cache),
 * so the hot path decrypts each webhook's secret once per replica.
 */
@ApplicationScoped
@Startup
public class SecretCipher {

    /** What a ciphertext holds: part of its associated data. */
    public enum Material {
        /** A signing secret, current or previous (rotation moves one column to the other). */
        SIGNING,
        /** The webhook's own request headers. */
        HEADERS,
        /** The webhook's own egress proxy (its URL may carry the proxy's credentials). */
        PROXY,
        /** The TLS client certificate and its private key (mTLS). */
        CLIENT_CERTIFICATE,
        /** The OAuth2 client credentials. */
        OAUTH2
    }

    static final String PREFIX = "enc:";
    static final String V2 = "enc:v2:";
    static final String V1 = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SigningConfig config;

    private KeyRing ring;
    /** Up to one entry per webhook secret in use, with room for rotations (BoundedCache starts over when full). */
    static final int CACHED = 20_000;
    private final BoundedCache<String> decrypted = new BoundedCache<>(CACHED);

    /** Read when the application starts ({@link Startup}): a replica without a usable key never gets ready. */
    @PostConstruct
    void loadKeys() {
        ring = KeyRing.of(config);
    }

    /** The id of the key new values are sealed with. */
    String newestKeyId() {
        return ring.newest().id();
    }

    public String encrypt(long webhookId, Material material, String plain) {
        KeyRing.Key key = ring.newest();
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(webhookId, material));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return V2 + key.id() + ":" + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not encrypt a webhook's " + material, e);
        }
    }

    /** The plain value; null stays null. Throws {@link UnreadableSecret} when it cannot be decrypted here. */
    public String decrypt(long webhookId, Material material, String stored) {
        if (stored == null) {
            return null;
        }
        return decrypted.get(webhookId + ":" + material + ":" + stored, cacheKey -> open(webhookId, material, stored));
    }

    /** As {@link #decrypt}, not cached: for callers that cache what they make of the text themselves. */
    String decryptUncached(long webhookId, Material material, String stored) {
        return stored == null ? null : open(webhookId, material, stored);
    }

    /** Whether a stored value is sealed with the newest key, bound to its row: nothing for reencryption to do. */
    boolean isCurrent(String stored) {
        return stored == null || stored.startsWith(V2 + ring.newest().id() + ":");
    }

    private String open(long webhookId, Material material, String stored) {
        if (stored.startsWith(V2)) {
            int colon = stored.indexOf(':', V2.length());
            if (colon < 0) {
                throw unreadable(material, "it is damaged");
            }
            String keyId = stored.substring(V2.length(), colon);
            KeyRing.Key key = ring.find(keyId).orElseThrow(() -> unreadable(material,
                    "it was sealed with key " + printable(keyId) + ", which herald.signing.encryption-keys lacks"));
            return open(key, associatedData(webhookId, material), stored.substring(colon + 1))
                    .orElseThrow(() -> unreadable(material, "it does not open with key " + key.id()
                            + " for this webhook: damaged, or copied from another row"));
        }
        if (stored.startsWith(V1)) {
            // sealed before key ids and row binding: whichever key of the ring opens it
            for (KeyRing.Key key : ring.keys()) {
                var opened = open(key, null, stored.substring(V1.length()));
                if (opened.isPresent()) {
                    return opened.get();
                }
            }
            throw unreadable(material, "it opens with no key of herald.signing.encryption-keys");
        }
        throw unreadable(material, "it is not stored encrypted");
    }

    private static java.util.Optional<String> open(KeyRing.Key key, byte[] associatedData, String encoded) {
        try {
            byte[] all = Base64.getDecoder().decode(encoded);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            if (associatedData != null) {
                cipher.updateAAD(associatedData);
            }
            return java.util.Optional.of(new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES),
                    StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return java.util.Optional.empty(); // never echo the stored value: it is secret material
        }
    }

    private static byte[] associatedData(long webhookId, Material material) {
        return ("herald:webhook:" + webhookId + ":" + material.name().toLowerCase()).getBytes(StandardCharsets.UTF_8);
    }

    private static UnreadableSecret unreadable(Material material, String why) {
        return switch (material) {
            case SIGNING -> UnreadableSecret.signingSecret(why);
            case HEADERS -> UnreadableSecret.headers(why);
            default -> UnreadableSecret.receiverAccess(material.name().toLowerCase().replace('_', ' '), why);
        };
    }

    private static String printable(String keyId) {
        return keyId.length() > 32 || !keyId.matches("[A-Za-z0-9_.-]*") ? "(unreadable id)" : keyId;
    }
}
