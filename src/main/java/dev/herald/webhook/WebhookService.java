package dev.herald.webhook;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.api.Timestamps;
import dev.herald.tenancy.Provider;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** Registration and upkeep of an application's webhooks. Every method checks ownership first. */
@ApplicationScoped
public class WebhookService {

    @Inject
    SecretCipher cipher;

    @Inject
    SigningConfig signing;

    @Inject
    WebhookUrlRules urlRules;

    @WithTransaction
    public Uni<WebhookView> register(int applicationId, CreateWebhookInput input) {
        String url = urlRules.check(input.webhookUrl);
        String legacyHeader = LegacyHeaderRules.check(input.legacySignatureHeader);
        String secret = SigningSecrets.generate();
        return requireProvider(applicationId, input.providerId).chain(provider -> {
            Webhook webhook = new Webhook();
            webhook.providerId = provider.id;
            webhook.webhookUrl = url;
            webhook.status = Webhook.ACTIVE;
            webhook.secret = cipher.encrypt(secret);
            webhook.legacySignatureHeader = legacyHeader;
            webhook.createdOn = Timestamps.now();
            webhook.updatedOn = webhook.createdOn;
            return webhook.<Webhook>persist().map(saved -> WebhookView.of(saved, secret));
        });
    }

    @WithSession
    public Uni<List<WebhookView>> list(int applicationId, Integer providerId) {
        String ownProviders = "providerId in (select p.id from Provider p where p.applicationId = ?1)";
        Uni<List<Webhook>> found = providerId == null
                ? Webhook.list(ownProviders + " order by id", applicationId)
                : Webhook.list(ownProviders + " and providerId = ?2 order by id", applicationId, providerId);
        return found.map(webhooks -> webhooks.stream().map(this::view).toList());
    }

    @WithTransaction
    public Uni<WebhookView> update(int applicationId, UpdateWebhookInput input) {
        long id = Ids.parse("id", input.id);
        String url = input.webhookUrl == null ? null : urlRules.check(input.webhookUrl);
        String legacyHeader = LegacyHeaderRules.check(input.legacySignatureHeader);
        if (input.status != null && input.status != Webhook.ACTIVE && input.status != Webhook.INACTIVE) {
            throw new InvalidInput("status", "must be 1 (active) or 0 (inactive)");
        }
        return requireWebhook(applicationId, id).chain(webhook -> {
            boolean reactivated = webhook.status == Webhook.INACTIVE && input.status != null
                    && input.status == Webhook.ACTIVE;
            if (url != null) {
                webhook.webhookUrl = url;
            }
            if (input.status != null) {
                webhook.status = input.status.shortValue();
            }
            if (input.legacySignatureHeader != null) {
                webhook.legacySignatureHeader = legacyHeader;
            }
            webhook.updatedOn = Timestamps.now();
            Uni<Void> wake = reactivated ? wakeEndpoint(webhook.id) : Uni.createFrom().voidItem();
            return wake.map(ignored -> view(webhook));
        });
    }

    @WithTransaction
    public Uni<Boolean> delete(int applicationId, String rawId) {
        long id = Ids.parse("id", rawId);
        return requireWebhook(applicationId, id).chain(webhook -> webhook.delete()).replaceWith(Boolean.TRUE);
    }

    /**
     * A new signing secret. The old one keeps signing next to it for {@code herald.signing.rotation-grace}, so
     * receivers can switch without rejecting anything.
     */
    @WithTransaction
    public Uni<WebhookSecretView> rotateSecret(int applicationId, String rawId) {
        long id = Ids.parse("webhookId", rawId);
        String secret = SigningSecrets.generate();
        return Webhook.findOwned(applicationId, id)
                .onItem().ifNull().failWith(() -> new NotFound("webhookId", "webhook", id))
                .map(webhook -> {
                    webhook.previousSecret = webhook.secret;
                    webhook.previousSecretExpiresAt = Timestamps.now().plus(signing.rotationGrace());
                    webhook.secret = cipher.encrypt(secret);
                    webhook.updatedOn = Timestamps.now();
                    return new WebhookSecretView(secret, webhook.previousSecretExpiresAt);
                });
    }

    private WebhookView view(Webhook webhook) {
        return WebhookView.of(webhook, cipher.decrypt(webhook.secret));
    }

    /** Deliveries held back while the webhook was inactive become due again. */
    private static Uni<Void> wakeEndpoint(long webhookId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(
                        "UPDATE endpoint_state SET next_check_at = clock_timestamp() WHERE webhook_id = ?1")
                        .setParameter(1, webhookId)
                        .executeUpdate())
                .replaceWithVoid();
    }

    private static Uni<Provider> requireProvider(int applicationId, Integer providerId) {
        return Provider.findOwned(applicationId, providerId)
                .onItem().ifNull().failWith(() -> new NotFound("providerId", "provider", providerId));
    }

    private static Uni<Webhook> requireWebhook(int applicationId, long webhookId) {
        return Webhook.findOwned(applicationId, webhookId)
                .onItem().ifNull().failWith(() -> new NotFound("id", "webhook", webhookId));
    }
}
