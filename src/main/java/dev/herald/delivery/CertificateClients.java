package dev.herald.delivery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * HTTP clients that present a client certificate (mTLS), one per certificate, each with its own keep-alive pool: the
 * Vert.x client takes its key material per client, not per request. The least recently used beyond {@link #KEPT}
 * leaves the set and is closed only once every attempt that may still use it has ended ({@code closeAfter}: longer
 * than any attempt may take), so one tenant's many certificates never cut another's requests short.
 */
final class CertificateClients {

    static final int KEPT = 256;

    private final Vertx vertx;
    private final Function<ClientCertificate, HttpClient> newClient;
    private final Duration closeAfter;
    private final Map<String, HttpClient> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, HttpClient> eldest) {
            if (size() > KEPT) {
                HttpClient leaving = eldest.getValue();
                vertx.setTimer(closeAfter.toMillis(), id -> leaving.close());
                return true;
            }
            return false;
        }
    };

    CertificateClients(Vertx vertx, Function<ClientCertificate, HttpClient> newClient, Duration closeAfter) {
        this.vertx = vertx;
        this.newClient = newClient;
        this.closeAfter = closeAfter;
    }

    synchronized HttpClient of(ClientCertificate certificate) {
        return clients.computeIfAbsent(fingerprint(certificate), key -> newClient.apply(certificate));
    }

    synchronized void closeAll() {
        clients.values().forEach(HttpClient::close);
        clients.clear();
    }

    private static String fingerprint(ClientCertificate certificate) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(certificate.certificate().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(certificate.privateKey().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
