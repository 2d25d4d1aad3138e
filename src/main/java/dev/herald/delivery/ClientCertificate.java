package dev.herald.delivery;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * The TLS client certificate Herald presents to a webhook's receiver that requires one (mTLS): the certificate (PEM,
 * the leaf first, then any intermediates) and its private key (PEM, PKCS8).
 */
public record ClientCertificate(String certificate, String privateKey) {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    /** The Vert.x client's options for presenting it. */
    public PemKeyCertOptions options() {
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(certificate)).setKeyValue(Buffer.buffer(privateKey));
    }

    /** The leaf certificate; throws {@link IllegalArgumentException} saying why when it is not a PEM certificate. */
    public X509Certificate leaf() {
        if (!certificate.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | RuntimeException unreadable) {
            throw new IllegalArgumentException("is not a readable X.509 certificate in PEM");
        }
    }

    /** The private key; throws {@link IllegalArgumentException} saying why when it is not a PKCS8 PEM key. */
    public PrivateKey key() {
        Matcher pem = PKCS8.matcher(privateKey);
        if (!pem.find()) {
            throw new IllegalArgumentException("must be an unencrypted PKCS8 PEM key (-----BEGIN PRIVATE KEY-----;"
                    + " `openssl pkcs8 -topk8 -nocrypt` converts other forms)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.group(1));
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException("is not valid base64 between its PEM lines");
        }
        // what the Vert.x client reads from PKCS8 PEM: RSA and EC keys
        for (String algorithm : new String[] { "RSA", "EC" }) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("is not an RSA or EC private key");
    }

    /** Whether the key is the certificate's: a signature made with it verifies with the certificate's public key. */
    public boolean keyMatches() {
        PrivateKey key = key();
        X509Certificate leaf = leaf();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "herald".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException mismatch) {
            return false;
        }
    }

    /** Its subject, as its owner sees it. */
    public String subject() {
        return leaf().getSubjectX500Principal().getName();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** Never the key: this is what logs and errors show. */
    @Override
    public String toString() {
        return "ClientCertificate[" + subject() + "]";
    }
}
