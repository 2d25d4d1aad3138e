package dev.herald.dispatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.CompactJson;
import dev.herald.delivery.OutgoingRequest;
import dev.herald.delivery.SigningKeys;
import dev.herald.webhook.SecretCipher;
import dev.herald.webhook.SecretCipher.Material;
import dev.herald.webhook.StoredHeaders;
import dev.herald.webhook.UnreadableSecret;

/**
 * Prepares a claimed delivery's attempt: its keys and headers decrypted (each cached per webhook and stored
 * value), its body as the webhook takes it (the exact bytes, or the compact form legacy receivers verify).
 */
@ApplicationScoped
public class OutgoingRequests {

    @Inject
    SecretCipher cipher;

    @Inject
    StoredHeaders headers;

    @Inject
    UnreadableSecrets unreadable;

    /**
     * The request of one attempt. Throws {@link UnreadableSecret} when its secret or headers cannot be decrypted,
     * {@link EventGone} when its event is no longer stored: nothing can be sent then.
     */
    OutgoingRequest prepare(ClaimedDelivery claimed, String traceparent) {
        if (claimed.payload() == null) {
            throw new EventGone();
        }
        SigningKeys keys = new SigningKeys(cipher.decrypt(claimed.webhookId(), Material.SIGNING, claimed.secret()),
                previousSecret(claimed), claimed.legacyHeader());
        return new OutgoingRequest(claimed.webhookId(), claimed.url(), claimed.messageId(), body(claimed), keys,
                headers.open(claimed.webhookId(), claimed.headers()), traceparent, claimed.leaseEndsNanos(), claimed.startByNanos());
    }

    /**
     * The producer's exact bytes; for a webhook with the legacy signature, the compact form JavaScript's
     * JSON.stringify writes, since OneRoute-style receivers verify {@code JSON.stringify(req.body)} after their
     * framework parsed it (an indented body would never match). A payload JavaScript could not parse (PostgreSQL's
     * json type let it in) goes as it is: such a receiver could not have read it either way.
     */
    private static String body(ClaimedDelivery claimed) {
        if (claimed.legacyHeader() == null) {
            return claimed.payload();
        }
        try {
            return CompactJson.stringify(claimed.payload());
        } catch (IllegalArgumentException notJavaScriptJson) {
            return claimed.payload();
        }
    }

    /** The secret still in its rotation grace; an unreadable one is left out rather than failing the delivery. */
    private String previousSecret(ClaimedDelivery claimed) {
        try {
            return cipher.decrypt(claimed.webhookId(), Material.SIGNING, claimed.previousSecret());
        } catch (UnreadableSecret secret) {
            unreadable.previous(claimed.webhookId(), claimed.previousSecret(), secret);
            return null;
        }
    }

    /** The delivery's event is no longer stored (retention dropped it): nothing can be sent. */
    static final class EventGone extends RuntimeException {

        EventGone() {
            super("its event is no longer stored (herald.retention.period)", null, false, false);
        }
    }
}
