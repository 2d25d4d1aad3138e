package dev.herald.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.webhook.UnreadableSecret;

/**
 * Webhooks whose deliveries cannot be made (their signing secret cannot be decrypted). Each ends its deliveries
 * FAILED at once and is counted in {@code herald_delivery_attempts_total{result="unsendable"}}; this logs it at
 * ERROR once per webhook and stored secret on this replica, not once per attempt.
 */
@ApplicationScoped
public class UnsendableWebhooks {

    private static final Logger LOG = Logger.getLogger(UnsendableWebhooks.class);

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    void report(long webhookId, String storedSecret, UnreadableSecret why) {
        if (reported.add(webhookId + ":" + (storedSecret == null ? 0 : storedSecret.hashCode()))) {
            LOG.errorf("Deliveries to webhook %d fail without being sent: %s", webhookId, why.getMessage());
        }
    }
}
