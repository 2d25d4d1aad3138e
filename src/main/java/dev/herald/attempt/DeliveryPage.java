package dev.herald.attempt;

import java.util.List;

import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

@Type("DeliveryPage")
public record DeliveryPage(int totalCount, @NonNull List<@NonNull DeliveryView> items) {
}
