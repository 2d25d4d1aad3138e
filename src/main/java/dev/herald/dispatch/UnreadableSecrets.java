package dev.herald.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.webhook.UnreadableSecret;

/**
 * Webhooks whose stored signing secrets this replica cannot decrypt. An unreadable current secret ends each of the
 * webhook's deliveries FAILED at once, unsent (counted in
 * {@code herald_delivery_attempts_total{result="unsendable"}}); an unreadable previous secret (still in its
 * rotation grace) is left out of the signature. Either is logged at ERROR once per webhook and stored value on this
 * replica, not once per attempt.
 */
@ApplicationScoped
public class UnreadableSecrets {

    private static final Logger LOG = Logger.getLogger(UnreadableSecrets.class);

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    void current(long webhookId, String stored, UnreadableSecret why) {
        if (firstTime(webhookId, stored)) {
            LOG.errorf("Deliveries to webhook %d fail without being sent: %s", webhookId, why.getMessage());
        }
    }

    void previous(long webhookId, String stored, UnreadableSecret why) {
        if (firstTime(webhookId, stored)) {
            LOG.errorf("Deliveries to webhook %d are signed with its current secret only: its previous %s", webhookId,
                    why.getMessage().replaceFirst("^the ", ""));
        }
    }

    private boolean firstTime(long webhookId, String stored) {
        return reported.add(webhookId + ":" + (stored == null ? 0 : stored.hashCode()));
    }
}
