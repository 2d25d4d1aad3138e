package dev.herald.webhook;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.ClientCertificate;
import dev.herald.delivery.EgressProxy;
import dev.herald.delivery.OAuth2Client;
import dev.herald.delivery.ReceiverAccess;
import dev.herald.webhook.SecretCipher.Material;

/**
 * How a webhook's receiver is reached, as stored: its own proxy (its URL), its client certificate and its OAuth2
 * client (JSON), each encrypted like its signing secrets and bound to its row, since each carries credentials.
 * What is opened is kept per webhook (one entry each, replaced when the stored values change; at most {@link #KEPT}),
 * so the hot path decrypts each once per replica and changes never pile up.
 */
@ApplicationScoped
public class StoredAccess {

    @Inject
    SecretCipher cipher;

    @Inject
    ObjectMapper json;

    static final int KEPT = 5_000;

    private final Map<Long, Opened> opened = new ConcurrentHashMap<>();

    private record Opened(SealedAccess sealed, ReceiverAccess access) {
    }

    String sealProxy(long webhookId, EgressProxy proxy) {
        return proxy == null ? null : cipher.encrypt(webhookId, Material.PROXY, proxy.url());
    }

    String sealCertificate(long webhookId, ClientCertificate certificate) {
        return certificate == null ? null : cipher.encrypt(webhookId, Material.CLIENT_CERTIFICATE, write(certificate));
    }

    String sealOAuth2(long webhookId, OAuth2Client client) {
        return client == null ? null : cipher.encrypt(webhookId, Material.OAUTH2, write(client));
    }

    /**
     * The webhook's receiver access; {@link ReceiverAccess#NONE} for none. Throws {@link UnreadableSecret} when a
     * part cannot be decrypted or read: nothing can be sent then (without its proxy, it would leave from the wrong
     * address; without its certificate or token, the receiver refuses it).
     */
    public ReceiverAccess open(long webhookId, SealedAccess sealed) {
        if (sealed.none()) {
            return ReceiverAccess.NONE;
        }
        Opened known = opened.get(webhookId);
        if (known != null && known.sealed().equals(sealed)) {
            return known.access();
        }
        ReceiverAccess access = new ReceiverAccess(proxy(webhookId, sealed.proxy()),
                read(webhookId, Material.CLIENT_CERTIFICATE, sealed.clientCertificate(), ClientCertificate.class),
                read(webhookId, Material.OAUTH2, sealed.oauth2(), OAuth2Client.class));
        if (opened.size() >= KEPT) {
            opened.clear();
        }
        opened.put(webhookId, new Opened(sealed, access));
        return access;
    }

    private EgressProxy proxy(long webhookId, String stored) {
        if (stored == null) {
            return null;
        }
        String url = cipher.decryptUncached(webhookId, Material.PROXY, stored);
        try {
            return EgressProxy.parse("proxy", url);
        } catch (IllegalArgumentException damaged) {
            throw UnreadableSecret.receiverAccess("proxy", "it is not a proxy URL");
        }
    }

    private <T> T read(long webhookId, Material material, String stored, Class<T> type) {
        if (stored == null) {
            return null;
        }
        String text = cipher.decryptUncached(webhookId, material, stored);
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException | RuntimeException damaged) {
            throw UnreadableSecret.receiverAccess(material.name().toLowerCase().replace('_', ' '),
                    "it is not what Herald stores");
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write a webhook's receiver access", e);
        }
    }
}
