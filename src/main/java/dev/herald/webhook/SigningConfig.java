package dev.herald.webhook;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.signing")
public interface SigningConfig {

    /**
     * AES-256 key (base64 of 32 bytes) that encrypts signing secrets at rest ({@code HERALD_SIGNING_ENCRYPTION_KEY},
     * a Kubernetes Secret in production). Required: without it Herald does not start ({@link SecretCipher} says
     * why); dev and test have their own fixed keys.
     */
    Optional<String> encryptionKey();

    /** How long a rotated-out secret keeps signing next to the new one. */
    @WithDefault("24h")
    Duration rotationGrace();
}
