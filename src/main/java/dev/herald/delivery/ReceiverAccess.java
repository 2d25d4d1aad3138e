package dev.herald.delivery;

/**
 * How Herald reaches one webhook's receiver, as its owner set it; each part null when not set.
 *
 * @param proxy       the webhook's own egress proxy, used instead of the deployment's ({@code herald.delivery.proxy});
 *                    its address is under the address policy, as a webhook URL is
 * @param certificate the TLS client certificate presented to the receiver (mTLS)
 * @param oauth2      the OAuth2 client whose bearer token goes with every attempt
 */
public record ReceiverAccess(EgressProxy proxy, ClientCertificate certificate, OAuth2Client oauth2) {

    public static final ReceiverAccess NONE = new ReceiverAccess(null, null, null);
}
