package dev.herald.webhook;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

/** A request header sent on every attempt of a webhook, shown to its owner only. */
@Type("Header")
public record WebhookHeader(@NonNull String name, @NonNull String value) {
}
