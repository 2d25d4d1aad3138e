package dev.herald.tenancy;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

/**
 * In production the admin key must be long enough not to be guessed: a replica given a shorter one refuses to
 * start, naming the variable. Dev mode and tests keep their short, documented keys. In every mode it must not look
 * like a portal token.
 */
@Singleton
public class AdminKeyRule {

    static final int MIN_LENGTH = 32;

    @Inject
    TenancyConfig config;

    /** Before anything else starts: the schema, the dispatcher. */
    void onStart(@Observes @Priority(1) StartupEvent event) {
        check(config.adminKey(), LaunchMode.current() == LaunchMode.NORMAL);
    }

    static void check(Optional<String> adminKey, boolean production) {
        // CallerResolver reads a key with this prefix as a portal token: such an admin key could never sign in
        if (adminKey.isPresent() && adminKey.get().strip().startsWith(PortalTokens.PREFIX)) {
            throw new IllegalStateException("HERALD_ADMIN_KEY (herald.admin-key) must not start with "
                    + PortalTokens.PREFIX + ": that prefix marks portal tokens");
        }
        if (production && adminKey.isPresent() && adminKey.get().strip().length() < MIN_LENGTH) {
            throw new IllegalStateException("HERALD_ADMIN_KEY (herald.admin-key) must be at least " + MIN_LENGTH
                    + " characters; it has " + adminKey.get().strip().length()
                    + ". Make one with `openssl rand -base64 32`");
        }
    }
}
