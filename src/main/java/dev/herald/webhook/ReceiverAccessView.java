package dev.herald.webhook;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;
import dev.herald.delivery.ReceiverAccess;

/** How a webhook's receiver is reached, as its owner sees it: never a password, a key or a client secret. */
@Type("ReceiverAccess")
public record ReceiverAccessView(
        @Description("Its own egress proxy, without its password; null: the deployment's (herald.delivery.proxy)")
        String proxy,
        @Description("The TLS client certificate presented to the receiver (mTLS); null: none")
        ClientCertificateView clientCertificate,
        @Description("The OAuth2 client whose bearer token goes with every attempt; null: none")
        OAuth2ClientView oauth2) {

    @Type("ClientCertificate")
    public record ClientCertificateView(@NonNull String subject,
            @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant notAfter) {
    }

    @Type("OAuth2Client")
    public record OAuth2ClientView(@NonNull String tokenUrl, @NonNull String clientId, String scope) {
    }

    static ReceiverAccessView of(ReceiverAccess access) {
        return new ReceiverAccessView(access.proxy() == null ? null : access.proxy().toString(),
                access.certificate() == null ? null
                        : new ClientCertificateView(access.certificate().subject(), access.certificate().notAfter()),
                access.oauth2() == null ? null
                        : new OAuth2ClientView(access.oauth2().tokenUrl(), access.oauth2().clientId(),
                                access.oauth2().scope()));
    }
}
