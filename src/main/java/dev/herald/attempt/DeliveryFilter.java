package dev.herald.attempt;

import java.time.Instant;

import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.api.Pages;
import dev.herald.dispatch.DeliveryState;

/**
 * The filters of the {@code deliveries} query, checked: a webhook, an event, a state, a time range (when the
 * delivery was created: {@code since} inclusive, {@code until} exclusive), a keyset cursor ({@code after}: the
 * page holds the deliveries that come after that one, newest first) and the page size.
 */
record DeliveryFilter(Long webhookId, Long eventId, DeliveryState status, Instant since, Instant until,
        PageCursor after, int limit, int offset, Integer providerId) {

    /** Deeper pages by offset would scan what a cursor skips; past this, page with {@code after}. */
    static final int MAX_OFFSET = 1_000;

    static DeliveryFilter of(String webhookId, String eventId, DeliveryState status, Instant since, Instant until,
            String after, Integer limit, Integer offset) {
        int size = Pages.size("limit", limit == null ? Integer.parseInt(Pages.DELIVERIES) : limit, Pages.MAX_DELIVERIES);
        int skip = offset == null ? 0 : offset;
        if (skip < 0 || skip > MAX_OFFSET) {
            throw new InvalidInput("offset", "must be between 0 and " + MAX_OFFSET + "; page further with after");
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new InvalidInput("until", "must be after since");
        }
        return new DeliveryFilter(Ids.parseOptional("webhookId", webhookId), Ids.parseOptional("eventId", eventId),
                status, since, until, PageCursor.parseOptional(after), size, skip, null);
    }

    /** These filters, for one webhook's deliveries only (a portal token's). */
    DeliveryFilter ofWebhook(long webhook) {
        return new DeliveryFilter(webhook, eventId, status, since, until, after, limit, offset, providerId);
    }

    /** These filters, for the deliveries of one provider's webhooks only (a portal token's); null: no change. */
    DeliveryFilter ofProvider(Integer provider) {
        return new DeliveryFilter(webhookId, eventId, status, since, until, after, limit, offset, provider);
    }

    /** Whether deliveries not yet final (the hot table) can match. */
    boolean mayBeWaiting() {
        return status == null || status == DeliveryState.PENDING || status == DeliveryState.IN_FLIGHT;
    }

    /** Whether finished deliveries (the history) can match. */
    boolean mayBeFinished() {
        return status == null || status == DeliveryState.DELIVERED || status == DeliveryState.FAILED;
    }
}
