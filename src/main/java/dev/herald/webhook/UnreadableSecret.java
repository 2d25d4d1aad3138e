package dev.herald.webhook;

/**
 * A signing secret in the database that this replica cannot decrypt: stored unencrypted, damaged, or encrypted
 * with another {@code herald.signing.encryption-key}. Retrying cannot help; an operator must fix the key or the
 * row. The message never contains the stored value.
 */
public class UnreadableSecret extends IllegalStateException {

    UnreadableSecret(String why) {
        super("the signing secret cannot be decrypted (" + why + "): check that herald.signing.encryption-key is the"
                + " key it was encrypted with, or rotate the webhook's secret");
    }
}
