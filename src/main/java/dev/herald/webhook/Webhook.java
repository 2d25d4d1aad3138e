package dev.herald.webhook;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A registered URL on one provider: the endpoint deliveries go to. */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {

    public static final short ACTIVE = 1;
    public static final short INACTIVE = 0;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "provider_id")
    public Integer providerId;

    @Column(name = "webhook_url")
    public String webhookUrl;

    public Short status;

    /** The Standard Webhooks signing secret, {@code whsec_<base64>}, encrypted ({@link SecretCipher}). */
    public String secret;

    /** The secret before the last rotation, encrypted; signs too until {@link #previousSecretExpiresAt}. */
    @Column(name = "previous_secret")
    public String previousSecret;

    @Column(name = "previous_secret_expires_at")
    public Instant previousSecretExpiresAt;

    /** The header of the opt-in legacy signature (hex HMAC-SHA512 of the body); null when off. */
    @Column(name = "legacy_signature_header")
    public String legacySignatureHeader;

    @Column(name = "created_on")
    public Instant createdOn;

    @Column(name = "updated_on")
    public Instant updatedOn;
}
