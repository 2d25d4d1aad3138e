package dev.herald.webhook;

import dev.herald.api.ApiException;

/** A webhook's secret that Herald cannot decrypt (see {@link UnreadableSecret}): nothing to show; rotate it. */
class SecretUnavailable extends ApiException {

    SecretUnavailable(String why) {
        super("webhookId: " + why);
    }

    @Override
    public String classification() {
        return "UNREADABLE_SECRET";
    }

    @Override
    public int httpStatus() {
        return 500;
    }
}
