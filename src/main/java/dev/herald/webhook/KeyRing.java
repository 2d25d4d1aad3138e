package dev.herald.webhook;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that seal webhooks' secret material, newest first: {@code herald.signing.encryption-keys}, each
 * {@code <id>:<base64 of 32 bytes>}. The newest seals; every key opens what it sealed. A deployment with the single
 * {@code herald.signing.encryption-key} has a ring of that one key, with the id {@code default}.
 */
record KeyRing(List<Key> keys) {

    static final String SINGLE_KEY_ID = "default";

    /** One AES-256 key and the id ciphertexts name it by. */
    record Key(String id, SecretKeySpec secret) {
    }

    Key newest() {
        return keys.get(0);
    }

    Optional<Key> find(String id) {
        return keys.stream().filter(key -> key.id().equals(id)).findFirst();
    }

    static KeyRing of(SigningConfig config) {
        List<Key> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String entry : config.encryptionKeys().orElse(List.of())) {
            String[] parts = entry.strip().split(":", 2);
            if (parts.length != 2 || !parts[0].matches("[A-Za-z0-9_.-]{1,32}")) {
                throw new IllegalStateException("HERALD_SIGNING_ENCRYPTION_KEYS (herald.signing.encryption-keys): each"
                        + " key is <id>:<base64 of 32 bytes>, the id 1 to 32 letters, digits, '.', '_' or '-'");
            }
            if (!ids.add(parts[0])) {
                throw new IllegalStateException("HERALD_SIGNING_ENCRYPTION_KEYS (herald.signing.encryption-keys): the"
                        + " key id " + parts[0] + " is given twice");
            }
            keys.add(new Key(parts[0], aes(parts[1], "HERALD_SIGNING_ENCRYPTION_KEYS (herald.signing.encryption-keys),"
                    + " key " + parts[0])));
        }
        config.encryptionKey().ifPresent(single -> {
            if (ids.add(SINGLE_KEY_ID)) {
                keys.add(new Key(SINGLE_KEY_ID, aes(single,
                        "HERALD_SIGNING_ENCRYPTION_KEY (herald.signing.encryption-key)")));
            }
        });
        if (keys.isEmpty()) {
            throw new IllegalStateException("No key to encrypt webhooks' secrets with: set HERALD_SIGNING_ENCRYPTION_KEYS"
                    + " (herald.signing.encryption-keys) to <id>:<base64 of 32 random bytes>, e.g. k1:$(openssl rand"
                    + " -base64 32), the same on every replica (a Kubernetes Secret)");
        }
        return new KeyRing(List.copyOf(keys));
    }

    private static SecretKeySpec aes(String encoded, String setting) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encoded.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " must be base64 (of 32 bytes)");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException(setting + " must be 32 bytes (AES-256), base64; it decodes to "
                    + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }
}
