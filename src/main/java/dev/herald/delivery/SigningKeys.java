package dev.herald.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The keys one attempt is signed with.
 *
 * @param secret         the webhook's current secret, {@code whsec_<base64>}
 * @param previousSecret the secret it replaced, while the rotation grace period lasts; else null
 * @param legacyHeader   the header of the opt-in legacy signature; null when off
 */
public record SigningKeys(String secret, String previousSecret, String legacyHeader) {

    static final String PREFIX = "whsec_";

    /** The signature headers of one attempt with this id, timestamp and body. */
    Map<String, String> headers(String messageId, long timestamp, byte[] body) {
        List<String> signatures = new ArrayList<>(2);
        signatures.add(Signatures.standard(keyOf(secret), messageId, timestamp, body));
        if (previousSecret != null) {
            signatures.add(Signatures.standard(keyOf(previousSecret), messageId, timestamp, body));
        }
        String standard = String.join(" ", signatures);
        if (legacyHeader == null) {
            return Map.of("webhook-signature", standard);
        }
        // OneRoute-style receivers key their HMAC with the secret string as it was shown to them
        return Map.of("webhook-signature", standard,
                legacyHeader, Signatures.legacyHex(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /** The HMAC key of a Standard Webhooks secret: the base64 part, decoded. */
    static byte[] keyOf(String secret) {
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }
}
