package dev.herald.webhook;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

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
        @Description("Standard Webhooks signing secret (whsec_...), for the owner to verify deliveries; null when Herald"
                + " cannot decrypt it (check herald.signing.encryption-key, or rotateWebhookSecret)") String secret,
        @Description("Header carrying the legacy hex HMAC-SHA512 signature of the body; null when off") String legacySignatureHeader,
        @Description("What this webhook is for, as its owner wrote it") String description,
        @Description("The channelTypes it receives; null: all") List<Integer> channelTypes,
        @Description("The deliveryStatuses it receives; null: all") List<Integer> deliveryStatuses) {

    /** The view of a webhook row (as {@link WebhookWrites} returns it), with its secret decrypted for its owner. */
    static WebhookView of(io.vertx.mutiny.sqlclient.Row row, String secret) {
        return new WebhookView(row.getLong("id").toString(), row.getString("webhook_url"), row.getInteger("provider_id"),
                row.getOffsetDateTime("created_on").toInstant(), row.getOffsetDateTime("updated_on").toInstant(),
                row.getInteger("status"), secret, row.getString("legacy_signature_header"), row.getString("description"),
                list(row.getArrayOfIntegers("channel_types")), list(row.getArrayOfIntegers("delivery_statuses")));
    }

    private static List<Integer> list(Integer[] values) {
        return values == null ? null : List.of(values);
    }
}
