package dev.herald.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.signing")
public interface SigningConfig {

    /**
     * The keys that encrypt webhooks' secrets and headers at rest ({@code HERALD_SIGNING_ENCRYPTION_KEYS}, a
     * Kubernetes Secret in production): {@code <id>:<base64 of 32 bytes>}, comma-separated, newest first. The newest
     * encrypts; older ones still decrypt, until {@code reencryptSecrets} has moved everything to the newest. One of
     * this or {@link #encryptionKey()} is required: without a key Herald does not start ({@link KeyRing} says why).
     */
    Optional<List<String>> encryptionKeys();

    /**
     * A single key (base64 of 32 bytes), the ring's oldest with the id {@code default}
     * ({@code HERALD_SIGNING_ENCRYPTION_KEY}); dev and test have their own fixed ones.
     */
    Optional<String> encryptionKey();

    /** How long a rotated-out secret keeps signing next to the new one. */
    @WithDefault("24h")
    Duration rotationGrace();
}
