package dev.herald.webhook;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;

/** Rotating the key ring that seals webhooks' secrets: the admin's step after adding a new newest key. */
@GraphQLApi
@LogsUnexpectedFailures
public class KeyRotationGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    SecretReencryption reencryption;

    @Mutation
    @Description("Seals every webhook's secrets and headers with the newest key of herald.signing.encryption-keys,"
            + " bound to their webhook (admin key only). Answers how many values it rewrote and how many it could"
            + " not open.")
    public Uni<Reencryption> reencryptSecrets() {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .chain(admin -> reencryption.run())
                .map(report -> new Reencryption(report.reencrypted(), report.unreadable()));
    }
}
