package dev.herald.webhook;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.CustomHeader;

/**
 * A webhook's own headers as stored: a JSON list of {@code [name, value]} pairs, encrypted like its signing secrets
 * and bound to its row (values often carry the receiver's API key). Opened lists are cached by webhook and stored text
 * (a bounded cache), so the hot path decrypts each webhook's headers once per replica.
 */
@ApplicationScoped
public class StoredHeaders {

    @Inject
    SecretCipher cipher;

    @Inject
    ObjectMapper json;

    private final BoundedCache<List<CustomHeader>> opened = new BoundedCache<>(SecretCipher.CACHED);

    /** The stored form for the webhook; null for none. */
    String seal(long webhookId, List<CustomHeader> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        List<List<String>> pairs = headers.stream().map(h -> List.of(h.name(), h.value())).toList();
        try {
            return cipher.encrypt(webhookId, SecretCipher.Material.HEADERS, json.writeValueAsString(pairs));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write a webhook's headers", e);
        }
    }

    /**
     * The webhook's headers; none for null. Throws {@link UnreadableSecret} when they cannot be decrypted or read.
     */
    public List<CustomHeader> open(long webhookId, String stored) {
        if (stored == null) {
            return List.of();
        }
        return opened.get(webhookId + ":" + stored, cacheKey -> read(webhookId, stored));
    }

    private List<CustomHeader> read(long webhookId, String stored) {
        String text = cipher.decryptUncached(webhookId, SecretCipher.Material.HEADERS, stored);
        try {
            List<CustomHeader> headers = new ArrayList<>();
            for (String[] pair : json.readValue(text, String[][].class)) {
                headers.add(new CustomHeader(pair[0], pair[1]));
            }
            return List.copyOf(headers);
        } catch (JsonProcessingException | RuntimeException damaged) {
            throw UnreadableSecret.headers("they are not a list of name and value pairs");
        }
    }
}
