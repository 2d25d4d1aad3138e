package dev.herald.webhook;

import java.util.List;

import dev.herald.api.InvalidInput;
import dev.herald.api.PlainText;
import dev.herald.delivery.CustomHeader;
import dev.herald.delivery.DeliveryConfig;

/**
 * A webhook's optional settings, checked: a description, the notifications it receives by {@code channelType} and
 * {@code deliveryStatus} (null: all; an empty list given by its owner means all too), its own request headers and
 * its own lower caps (null: the global caps), its own retries and timeout ({@link RetrySettings}), its ordering (null:
 * not given). For an update, the {@code ...Given} flags say which were given: the
 * others keep what is stored.
 */
record WebhookSettings(String description, Integer[] channelTypes, Integer[] deliveryStatuses,
        List<CustomHeader> headers, Integer maxInFlight, Integer maxPerMinute, boolean descriptionGiven,
        boolean channelTypesGiven, boolean deliveryStatusesGiven, boolean headersGiven, boolean maxInFlightGiven,
        boolean maxPerMinuteGiven, RetrySettings retries, WebhookOrdering ordering) {

    static final int MAX_DESCRIPTION = 500;
    static final int MAX_FILTER_VALUES = 20;
    /** OsmoX delivery statuses: 1 pending ... 6 failed. */
    static final int MAX_DELIVERY_STATUS = 6;

    /**
     * The settings of an input. {@code legacyHeader} is the legacy signature header the webhook will have, when known
     * (an update that leaves it out checks stored headers against it later); {@code zeroClearsCaps}: on an update, a
     * cap of 0 goes back to the global cap.
     */
    static WebhookSettings of(WebhookSettingsInput input, String legacyHeader, DeliveryConfig delivery,
            boolean zeroClearsCaps) {
        String description = input.description;
        PlainText.lines("description", description);
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new InvalidInput("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        return new WebhookSettings(description == null || description.isEmpty() ? null : description,
                filter("channelTypes", input.channelTypes, Integer.MAX_VALUE,
                        "a positive integer (1 SMTP, 2 Mailgun, ...)"),
                filter("deliveryStatuses", input.deliveryStatuses, MAX_DELIVERY_STATUS,
                        "an OsmoX delivery status from 1 to 6 (1 pending ... 5 success, 6 failed)"),
                HeaderRules.check(input.headers, legacyHeader),
                cap("maxInFlight", input.maxInFlight, delivery.maxInFlightPerEndpoint(),
                        "herald.delivery.max-in-flight-per-endpoint", zeroClearsCaps),
                cap("maxPerMinute", input.maxPerMinute, delivery.maxPerMinutePerEndpoint(),
                        "herald.delivery.max-per-minute-per-endpoint", zeroClearsCaps),
                description != null, input.channelTypes != null, input.deliveryStatuses != null,
                input.headers != null, input.maxInFlight != null, input.maxPerMinute != null, RetrySettings.of(input),
                input.ordering);
    }

    /** The values as stored: null for all (absent or empty), else distinct and sorted. */
    private static Integer[] filter(String field, List<Integer> values, int max, String rule) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > MAX_FILTER_VALUES) {
            throw new InvalidInput(field, "must list at most " + MAX_FILTER_VALUES + " values");
        }
        for (Integer value : values) {
            if (value == null || value < 1 || value > max) {
                throw new InvalidInput(field, "each value must be " + rule);
            }
        }
        return values.stream().distinct().sorted().toArray(Integer[]::new);
    }

    /** A webhook's own cap as stored: null for the global one. */
    private static Integer cap(String field, Integer value, int global, String key, boolean zeroClears) {
        if (value == null || (zeroClears && value == 0)) {
            return null;
        }
        if (value < 1 || value > global) {
            throw new InvalidInput(field, "must be from 1 to " + global + ", the global cap (" + key + ")"
                    + (zeroClears ? ", or 0 for the global cap" : ""));
        }
        return value;
    }
}
