package dev.herald.webhook;

import java.util.List;

import dev.herald.api.InvalidInput;

/**
 * A webhook's optional settings, checked: a description, and the notifications it receives by {@code channelType}
 * and {@code deliveryStatus} (null: all; an empty list given by its owner means all too). For an update, the
 * {@code ...Given} flags say which were given: the others keep what is stored.
 */
record WebhookSettings(String description, Integer[] channelTypes, Integer[] deliveryStatuses,
        boolean descriptionGiven, boolean channelTypesGiven, boolean deliveryStatusesGiven) {

    static final int MAX_DESCRIPTION = 500;
    static final int MAX_FILTER_VALUES = 20;
    /** OsmoX delivery statuses: 1 pending ... 6 failed. */
    static final int MAX_DELIVERY_STATUS = 6;

    static WebhookSettings of(String description, List<Integer> channelTypes, List<Integer> deliveryStatuses) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw new InvalidInput("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        return new WebhookSettings(description == null || description.isEmpty() ? null : description,
                filter("channelTypes", channelTypes, Integer.MAX_VALUE, "a positive integer (1 SMTP, 2 Mailgun, ...)"),
                filter("deliveryStatuses", deliveryStatuses, MAX_DELIVERY_STATUS,
                        "an OsmoX delivery status from 1 to 6 (1 pending ... 5 success, 6 failed)"),
                description != null, channelTypes != null, deliveryStatuses != null);
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
}
