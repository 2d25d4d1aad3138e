package dev.herald.webhook;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;

/** The optional settings both {@code createWebhookInput} and {@code updateWebhookInput} take. */
public abstract class WebhookSettingsInput {

    @Description("Also sign with the legacy scheme (hex HMAC-SHA512 of the body, keyed by the secret) in this header;"
            + " an empty string turns it off")
    public String legacySignatureHeader;

    @Description("What this webhook is for, for its owner (at most 500 characters; an empty string clears it)")
    public String description;

    @Description("Only events of these types, each a name (order.created) or every name under a prefix (order.*), at"
            + " most 50, whether or not the catalogue has them yet; empty or absent: every event of its provider,"
            + " typed or not. An operational webhook lists operational event types here")
    public List<@org.eclipse.microprofile.graphql.NonNull String> eventTypes;

    @Description("BY_NOTIFICATION keeps the order of each notification's events (UNORDERED, the default, does not);"
            + " on updateWebhook it applies to deliveries made from then on, and UNORDERED releases those waiting")
    public WebhookOrdering ordering;

    @Description("Only notifications whose channelType is in this list (empty or absent: all)")
    public List<Integer> channelTypes;

    @Description("Only notifications whose deliveryStatus is in this list, e.g. [6] for failed ones (empty or"
            + " absent: all)")
    public List<Integer> deliveryStatuses;

    @Description("Request headers sent on every attempt (at most 20; an empty list removes them). Values are stored"
            + " encrypted and shown to the owner only")
    public List<HeaderInput> headers;

    @Description("At most this many attempts in flight at once, across all replicas: 1 up to the global cap"
            + " (herald.delivery.max-in-flight-per-endpoint); on updateWebhook 0 goes back to the global cap")
    public Integer maxInFlight;

    @Description("At most this many attempts started in any 60 s, across all replicas: 1 up to the global cap"
            + " (herald.delivery.max-per-minute-per-endpoint); on updateWebhook 0 goes back to the global cap")
    public Integer maxPerMinute;

    @Description("The waits before each retry, after the 1st, 2nd, ... failure, each a whole number and a unit (500ms,"
            + " 4s, 10m, 2h, 1d): at most 20, each at least 1s, at most 3 days in all; a delivery gets one attempt"
            + " more than it has waits. Absent: herald.delivery.retry-schedule (4s, 8s, 10s); on updateWebhook an"
            + " empty list goes back to it. Deliveries already made keep their number of attempts")
    public List<String> retrySchedule;

    @Description("Each retry's wait is shortened by up to this fraction of it, at random, so that deliveries that"
            + " failed together do not all retry together: 0 (none, the default) to 1")
    public Double retryJitter;

    @Description("How long one attempt may take, from its start to the end of the answer: 1s to 30s (a whole number"
            + " and a unit, e.g. 5s). Absent: herald.delivery.timeout; on updateWebhook an empty string goes back to"
            + " it")
    public String timeout;

    @Description("This webhook's own egress proxy, http://[user:password@]host:port (HTTP CONNECT), instead of the"
            + " deployment's (herald.delivery.proxy); its address is under the same policy as webhook URLs. Stored"
            + " encrypted and shown without its password; on updateWebhook an empty string removes it")
    public String proxy;

    @Description("A TLS client certificate Herald presents to a receiver that requires one (mTLS)")
    public ClientCertificateInput clientCertificate;

    @Description("OAuth2 client credentials: Herald sends a bearer token from the token endpoint on every attempt")
    public OAuth2ClientInput oauth2;
}
