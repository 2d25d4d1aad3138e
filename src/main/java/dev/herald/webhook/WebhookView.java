package dev.herald.webhook;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Durations;
import dev.herald.api.Timestamps;

@Type("Webhook")
@Description("A webhook URL registered on a provider (OsmoX compatible).")
public record WebhookView(
        @Id @NonNull String id,
        @NonNull String webhookUrl,
        int providerId,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant createdOn,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant updatedOn,
        @Description("1 active, 0 inactive") int status,
        @Description("Standard Webhooks signing secret (whsec_...), for the owner to verify deliveries: answered by"
                + " the registration only (null elsewhere); read it again with webhookSecret(webhookId)") String secret,
        @Description("Header carrying the legacy hex HMAC-SHA512 signature of the body; null when off") String legacySignatureHeader,
        @Description("What this webhook is for, as its owner wrote it") String description,
        @Description("The channelTypes it receives; null: all") List<Integer> channelTypes,
        @Description("The deliveryStatuses it receives; null: all") List<Integer> deliveryStatuses,
        @Description("Request headers sent on every attempt (empty: none); null when Herald cannot decrypt them")
        List<@NonNull WebhookHeader> headers,
        @Description("Its own in-flight cap; null: the global one (herald.delivery.max-in-flight-per-endpoint)")
        Integer maxInFlight,
        @Description("Its own cap on attempts started per 60 s; null: the global one"
                + " (herald.delivery.max-per-minute-per-endpoint)") Integer maxPerMinute,
        @Description("Why Herald switched it off (only failures for herald.delivery.disable-after, or a 410 Gone);"
                + " null when it is on or its owner switched it off. Switching it on clears it") String disabledReason,
        @Description("Its own waits before each retry (4s, 10m, ...); null: herald.delivery.retry-schedule")
        List<@NonNull String> retrySchedule,
        @Description("The fraction by which each retry's wait may be shortened at random; null: none") Double retryJitter,
        @Description("Its own attempt timeout (5s, ...); null: herald.delivery.timeout") String timeout,
        @Description("How its receiver is reached: its own proxy, client certificate, OAuth2 client; null when Herald"
                + " cannot decrypt them") ReceiverAccessView access,
        @Description("Whether it receives operational events (createOperationalWebhook) rather than a provider's")
        boolean operational,
        @NonNull WebhookOrdering ordering,
        @Description("The event types it takes: names or prefix.* (operational webhooks: operational types); null: every"
                + " event of its provider") List<@NonNull String> eventTypes) {

    /**
     * The view of a webhook row (as {@link WebhookWrites} returns it), with its secret, headers and receiver access
     * decrypted for its owner.
     */
    static WebhookView of(io.vertx.mutiny.sqlclient.Row row, String secret, List<WebhookHeader> headers,
            ReceiverAccessView access) {
        return new WebhookView(row.getLong("id").toString(), row.getString("webhook_url"), row.getInteger("provider_id"),
                row.getOffsetDateTime("created_on").toInstant(), row.getOffsetDateTime("updated_on").toInstant(),
                row.getInteger("status"), secret, row.getString("legacy_signature_header"), row.getString("description"),
                list(row.getArrayOfIntegers("channel_types")), list(row.getArrayOfIntegers("delivery_statuses")),
                headers, row.getInteger("max_in_flight"), row.getInteger("max_per_minute"),
                row.getString("disabled_reason"), durations(row.getArrayOfIntegers("retry_schedule_ms")),
                // as written: 0.1 stored as a real reads back as 0.1, not 0.10000000149011612
                row.getFloat("retry_jitter") == null ? null : Double.valueOf(row.getFloat("retry_jitter").toString()),
                row.getInteger("timeout_ms") == null ? null : Durations.format(row.getInteger("timeout_ms")),
                access, row.getBoolean("operational"), WebhookOrdering.of(row.getShort("ordering")),
                row.getArrayOfStrings("event_types") == null ? null : List.of(row.getArrayOfStrings("event_types")));
    }

    /**
     * This view without what carries credentials, for a portal token that may only read: header values hidden and
     * no receiver access.
     */
    public WebhookView withoutCredentials() {
        return new WebhookView(id, webhookUrl, providerId, createdOn, updatedOn, status, null, legacySignatureHeader,
                description, channelTypes, deliveryStatuses, headers == null ? null
                        : headers.stream().map(header -> new WebhookHeader(header.name(), "(hidden)")).toList(),
                maxInFlight, maxPerMinute, disabledReason, retrySchedule, retryJitter, timeout, null, operational,
                ordering, eventTypes);
    }

    private static List<String> durations(Integer[] millis) {
        return millis == null ? null : java.util.Arrays.stream(millis).map(Durations::format).toList();
    }

    private static List<Integer> list(Integer[] values) {
        return values == null ? null : List.of(values);
    }
}
