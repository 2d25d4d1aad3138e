package dev.herald.webhook;

/**
 * Secret material in the database (a signing secret, a webhook's headers) that this replica cannot decrypt: stored
 * unencrypted, damaged, copied from another row, or encrypted with a key not in {@code herald.signing.encryption-keys}. Retrying cannot help; an
 * operator must fix the key or the row. The message never contains the stored value.
 */
public class UnreadableSecret extends IllegalStateException {

    private UnreadableSecret(String message) {
        super(message);
    }

    static UnreadableSecret signingSecret(String why) {
        return new UnreadableSecret("the signing secret cannot be decrypted (" + why + "): check that"
                + " herald.signing.encryption-keys holds the key it was encrypted with, or rotate the webhook's secret");
    }

    /** The webhook's proxy, client certificate or OAuth2 client ({@code what}). */
    static UnreadableSecret receiverAccess(String what, String why) {
        return new UnreadableSecret("the webhook's " + what + " cannot be decrypted (" + why + "): check that"
                + " herald.signing.encryption-keys holds the key it was encrypted with, or set it again with"
                + " updateWebhook");
    }

    static UnreadableSecret headers(String why) {
        return new UnreadableSecret("the webhook's headers cannot be decrypted (" + why + "): check that"
                + " herald.signing.encryption-keys holds the key they were encrypted with, or set them again with"
                + " updateWebhook");
    }
}
