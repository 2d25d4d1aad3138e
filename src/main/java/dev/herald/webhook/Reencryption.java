package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

@Type("Reencryption")
@Description("What reencryptSecrets did.")
public record Reencryption(
        @Description("Secrets and header lists now sealed with the newest key of herald.signing.encryption-keys")
        int reencrypted,
        @Description("Values no key of the ring opens, left as they were (their webhooks' deliveries say so); the"
                + " older keys must stay in the ring while this is not 0") int unreadable) {
}
