package dev.herald.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.runtime.Startup;

/**
 * Encrypts signing secrets for the database: AES-256-GCM, a fresh 96-bit nonce each time, stored as
 * {@code enc:v1:<base64 nonce|ciphertext|tag>}. Decrypted secrets are cached by their ciphertext (a bounded
 * cache), so the hot path decrypts each webhook's secret once per replica.
 */
@ApplicationScoped
@Startup
public class SecretCipher {

    static final String PREFIX = "enc:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    SigningConfig config;

    private SecretKeySpec key;
    /** Up to one entry per webhook secret in use, with room for rotations (BoundedCache starts over when full). */
    static final int CACHED = 20_000;
    private final BoundedCache<String> decrypted = new BoundedCache<>(CACHED);

    /** Read when the application starts ({@link Startup}): a replica without a usable key never gets ready. */
    @PostConstruct
    void loadKey() {
        String encoded = config.encryptionKey().orElseThrow(() -> new IllegalStateException(
                "No signing-secret encryption key: set HERALD_SIGNING_ENCRYPTION_KEY (herald.signing.encryption-key)"
                        + " to base64 of 32 random bytes, e.g. the output of `openssl rand -base64 32`, the same on"
                        + " every replica (a Kubernetes Secret)"));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("HERALD_SIGNING_ENCRYPTION_KEY (herald.signing.encryption-key) must be"
                    + " base64 (of 32 bytes)");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("HERALD_SIGNING_ENCRYPTION_KEY (herald.signing.encryption-key) must be"
                    + " 32 bytes (AES-256), base64; it decodes to " + bytes.length);
        }
        key = new SecretKeySpec(bytes, "AES");
    }

    public String encrypt(String secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not encrypt a signing secret", e);
        }
    }

    /** The secret; null stays null. Throws {@link UnreadableSecret} when it cannot be decrypted. */
    public String decrypt(String stored) {
        if (stored == null) {
            return null;
        }
        return decrypted.get(stored, this::open);
    }

    /** As {@link #decrypt}, not cached: for callers that cache what they make of the text themselves. */
    String decryptUncached(String stored) {
        return stored == null ? null : open(stored);
    }

    private String open(String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw UnreadableSecret.signingSecret("it is not stored encrypted");
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            return new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // never echo the stored value: it is secret material
            throw UnreadableSecret.signingSecret("it does not open with this key");
        }
    }
}
