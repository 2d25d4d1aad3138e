package dev.herald.webhook;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

/** A TLS client certificate and its key, for a receiver that requires one (mTLS). */
@Input("ClientCertificateInput")
@Description("A TLS client certificate and its private key, both PEM; on updateWebhook both empty remove it")
public class ClientCertificateInput {

    @NonNull
    @Description("The certificate, PEM (-----BEGIN CERTIFICATE-----), the leaf first, then any intermediates")
    public String certificate;

    @NonNull
    @Description("Its private key, unencrypted PKCS8 PEM (-----BEGIN PRIVATE KEY-----); stored encrypted, never shown")
    public String privateKey;
}
