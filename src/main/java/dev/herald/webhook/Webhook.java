package dev.herald.webhook;

/**
 * A registered URL on one provider, the endpoint deliveries go to: a row of {@code webhook}, written and read on
 * the raw pool ({@link WebhookWrites}, {@link WebhookService}) and by the delivery path's SQL functions. Its status
 * codes:
 */
public final class Webhook {

    public static final short ACTIVE = 1;
    public static final short INACTIVE = 0;

    private Webhook() {
    }
}
