package dev.herald.webhook;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.api.PlainText;
import dev.herald.delivery.ClientCertificate;
import dev.herald.delivery.DestinationCheck;
import dev.herald.delivery.EgressProxy;
import dev.herald.delivery.OAuth2Client;

/**
 * Checks how a webhook's receiver is to be reached, as its owner gives it: its own proxy, a TLS client certificate,
 * an OAuth2 client. Each is refused with the field and the rule it breaks, before anything is written.
 */
@ApplicationScoped
class AccessSettings {

    static final int MAX_PROXY_LENGTH = 2048;
    static final int MAX_CERTIFICATE_LENGTH = 16 * 1024;
    static final int MAX_KEY_LENGTH = 8 * 1024;
    static final int MAX_RSA_BITS = 4096;
    private static final java.util.regex.Pattern CERTIFICATES = java.util.regex.Pattern.compile(
            "(?:-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----\\s*)+");
    static final int MAX_CLIENT_ID = 256;
    static final int MAX_CLIENT_SECRET = 1024;
    static final int MAX_SCOPE = 1024;

    @Inject
    WebhookUrlRules urlRules;

    @Inject
    DestinationCheck destinations;

    /**
     * What the input sets, checked. For an update, the {@code ...Given} flags say which were given (the others keep
     * what is stored); a given part that is null removes it.
     */
    record Checked(EgressProxy proxy, ClientCertificate certificate, OAuth2Client oauth2, boolean proxyGiven,
            boolean certificateGiven, boolean oauth2Given) {
    }

    Checked of(WebhookSettingsInput input) {
        return new Checked(proxy(input.proxy), certificate(input.clientCertificate), oauth2(input.oauth2),
                input.proxy != null, input.clientCertificate != null, input.oauth2 != null);
    }

    private EgressProxy proxy(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_PROXY_LENGTH) {
            throw new InvalidInput("proxy", "must be at most " + MAX_PROXY_LENGTH + " characters");
        }
        EgressProxy proxy;
        try {
            proxy = EgressProxy.parse("proxy", value);
        } catch (IllegalArgumentException refused) {
            throw new InvalidInput("proxy", refused.getMessage().substring("proxy: ".length()));
        }
        destinations.refusalOfHostAtRegistration(proxy.host()).ifPresent(rule -> {
            throw new InvalidInput("proxy", rule);
        });
        return proxy;
    }

    private static ClientCertificate certificate(ClientCertificateInput input) {
        if (input == null || input.certificate.isEmpty() && input.privateKey.isEmpty()) {
            return null;
        }
        if (input.certificate.length() > MAX_CERTIFICATE_LENGTH) {
            throw new InvalidInput("clientCertificate.certificate", "must be at most " + MAX_CERTIFICATE_LENGTH
                    + " characters");
        }
        if (input.privateKey.length() > MAX_KEY_LENGTH) {
            throw new InvalidInput("clientCertificate.privateKey", "must be at most " + MAX_KEY_LENGTH + " characters");
        }
        ClientCertificate certificate = new ClientCertificate(input.certificate.strip() + "\n",
                input.privateKey.strip() + "\n");
        try {
            certificate.leaf();
        } catch (IllegalArgumentException unreadable) {
            throw new InvalidInput("clientCertificate.certificate", unreadable.getMessage());
        }
        if (!CERTIFICATES.matcher(certificate.certificate()).matches()) {
            throw new InvalidInput("clientCertificate.certificate", "must hold PEM certificates only");
        }
        java.security.PrivateKey key;
        try {
            key = certificate.key();
        } catch (IllegalArgumentException unreadable) {
            throw new InvalidInput("clientCertificate.privateKey", unreadable.getMessage());
        }
        if (!certificate.privateKey().strip().startsWith("-----BEGIN PRIVATE KEY-----")
                || !certificate.privateKey().strip().endsWith("-----END PRIVATE KEY-----")) {
            throw new InvalidInput("clientCertificate.privateKey", "must hold the PEM key only");
        }
        if (key instanceof java.security.interfaces.RSAKey rsa && rsa.getModulus().bitLength() > MAX_RSA_BITS) {
            throw new InvalidInput("clientCertificate.privateKey", "an RSA key must have at most " + MAX_RSA_BITS
                    + " bits");
        }
        if (!certificate.keyMatches()) {
            throw new InvalidInput("clientCertificate.privateKey", "is not the key of the certificate");
        }
        if (certificate.notAfter().isBefore(Instant.now())) {
            throw new InvalidInput("clientCertificate.certificate", "expired on " + certificate.notAfter());
        }
        return certificate;
    }

    private OAuth2Client oauth2(OAuth2ClientInput input) {
        if (input == null || input.tokenUrl.isEmpty()) {
            return null;
        }
        String tokenUrl = urlRules.check("oauth2.tokenUrl", input.tokenUrl);
        String clientId = PlainText.line("oauth2.clientId", input.clientId);
        if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID) {
            throw new InvalidInput("oauth2.clientId", "must be 1 to " + MAX_CLIENT_ID + " characters");
        }
        String secret = PlainText.line("oauth2.clientSecret", input.clientSecret);
        if (secret.isEmpty() || secret.length() > MAX_CLIENT_SECRET) {
            throw new InvalidInput("oauth2.clientSecret", "must be 1 to " + MAX_CLIENT_SECRET + " characters");
        }
        String scope = PlainText.line("oauth2.scope", input.scope);
        if (scope != null && scope.length() > MAX_SCOPE) {
            throw new InvalidInput("oauth2.scope", "must be at most " + MAX_SCOPE + " characters");
        }
        return new OAuth2Client(tokenUrl, clientId, secret, scope == null || scope.isBlank() ? null : scope);
    }
}
