package dev.herald.tenancy;

import java.time.Instant;

import dev.herald.api.Forbidden;

/**
 * What a portal token names: an application's webhooks, those of one provider, or one webhook, to read or to manage,
 * until it expires.
 *
 * @param providerId the provider it is limited to (also set for a webhook's token: that webhook's provider); null:
 *                   the whole application
 * @param webhookId  the one webhook it is limited to; null: every webhook of its provider or application
 */
public record PortalScope(int applicationId, Integer providerId, Long webhookId, PortalAccess access,
        Instant expiresAt) {

    /** Refuses a token that may only read when the operation changes something. */
    public void require(PortalAccess needed) {
        if (needed == PortalAccess.MANAGE && access != PortalAccess.MANAGE) {
            throw new Forbidden("this portal token may only read (access READ)");
        }
    }

    /** Refuses what lies outside the token's scope. */
    public static Forbidden outside(String what) {
        return new Forbidden(what + " is outside this portal token's scope");
    }
}
