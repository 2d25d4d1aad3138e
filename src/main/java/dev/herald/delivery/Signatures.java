package dev.herald.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The signature schemes Herald sends. */
public final class Signatures {

    private Signatures() {
    }

    /**
     * Standard Webhooks: {@code v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}, keyed by the decoded
     * secret.
     */
    public static String standard(byte[] key, String messageId, long timestamp, byte[] body) {
        Mac mac = mac("HmacSHA256", key);
        mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** The legacy scheme (OneRoute style): hex HMAC-SHA512 of the body alone. */
    public static String legacyHex(byte[] key, byte[] body) {
        return HexFormat.of().formatHex(mac("HmacSHA512", key).doFinal(body));
    }

    private static Mac mac(String algorithm, byte[] key) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }
}
