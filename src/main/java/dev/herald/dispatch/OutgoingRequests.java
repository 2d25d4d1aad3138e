package dev.herald.dispatch;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.delivery.CompactJson;
import dev.herald.delivery.CustomHeader;
import dev.herald.delivery.OutgoingRequest;
import dev.herald.delivery.SigningKeys;
import dev.herald.webhook.SecretCipher;
import dev.herald.webhook.SecretCipher.Material;
import dev.herald.webhook.StoredAccess;
import dev.herald.webhook.StoredHeaders;
import dev.herald.webhook.UnreadableSecret;

/**
 * Prepares a request to a webhook, a claimed delivery's attempt or a test event: its keys, headers and receiver
 * access decrypted (each cached per webhook and stored value), its body as the webhook takes it (the exact bytes, or
 * the compact form legacy receivers verify).
 */
@ApplicationScoped
public class OutgoingRequests {

    @Inject
    SecretCipher cipher;

    @Inject
    StoredHeaders headers;

    @Inject
    UnreadableSecrets unreadable;

    @Inject
    StoredAccess access;

    /**
     * The request of one attempt. Throws {@link UnreadableSecret} when its secret or headers cannot be decrypted,
     * {@link EventGone} when its event is no longer stored: nothing can be sent then.
     */
    OutgoingRequest prepare(ClaimedDelivery claimed, String traceparent) {
        if (claimed.payload() == null) {
            throw new EventGone();
        }
        return prepare(claimed.endpoint(), claimed.messageId(), claimed.payload(), List.of(), traceparent,
                claimed.leaseEndsNanos(), claimed.startByNanos());
    }

    /**
     * A request of this payload to this endpoint, with these headers after the owner's. Throws
     * {@link UnreadableSecret} when its secret or headers cannot be decrypted.
     */
    public OutgoingRequest prepare(StoredEndpoint endpoint, String messageId, String payload,
            List<CustomHeader> extraHeaders, String traceparent, long leaseEndsNanos, long startByNanos) {
        SigningKeys keys = new SigningKeys(cipher.decrypt(endpoint.webhookId(), Material.SIGNING, endpoint.secret()),
                previousSecret(endpoint), endpoint.legacyHeader());
        List<CustomHeader> sent = headers.open(endpoint.webhookId(), endpoint.headers());
        if (!extraHeaders.isEmpty()) {
            sent = new ArrayList<>(sent);
            sent.addAll(extraHeaders);
        }
        return new OutgoingRequest(endpoint.webhookId(), endpoint.url(), messageId,
                body(endpoint.legacyHeader(), payload), keys, sent, traceparent, leaseEndsNanos, startByNanos,
                endpoint.timeout(), access.open(endpoint.webhookId(), endpoint.access()));
    }

    /**
     * The producer's exact bytes; for a webhook with the legacy signature, the compact form JavaScript's
     * JSON.stringify writes, since OneRoute-style receivers verify {@code JSON.stringify(req.body)} after their
     * framework parsed it (an indented body would never match). A payload JavaScript could not parse (PostgreSQL's
     * json type let it in) goes as it is: such a receiver could not have read it either way.
     */
    private static String body(String legacyHeader, String payload) {
        if (legacyHeader == null) {
            return payload;
        }
        try {
            return CompactJson.stringify(payload);
        } catch (IllegalArgumentException notJavaScriptJson) {
            return payload;
        }
    }

    /** The secret still in its rotation grace; an unreadable one is left out rather than failing the delivery. */
    private String previousSecret(StoredEndpoint endpoint) {
        try {
            return cipher.decrypt(endpoint.webhookId(), Material.SIGNING, endpoint.previousSecret());
        } catch (UnreadableSecret secret) {
            unreadable.previous(endpoint.webhookId(), endpoint.previousSecret(), secret);
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
