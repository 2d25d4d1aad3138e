package dev.herald.dispatch;

import dev.herald.webhook.SealedAccess;

/**
 * What a webhook's row holds for sending a request to it, as stored: its secrets and headers still encrypted.
 *
 * @param secret         its signing secret
 * @param previousSecret the secret it replaced, while the rotation grace lasts; else null
 * @param legacyHeader   the header of the opt-in legacy signature, or null
 * @param headers        its owner's request headers, or null
 * @param timeout        how long one attempt may take: its own timeout, or the deployment's
 * @param access         how its receiver is reached (proxy, client certificate, OAuth2), as stored
 */
public record StoredEndpoint(long webhookId, String url, String secret, String previousSecret, String legacyHeader,
        String headers, java.time.Duration timeout, SealedAccess access) {
}
