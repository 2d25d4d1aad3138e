package dev.herald.tenancy;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Type;

@Type("Application")
@Description("A tenant. apiKey is shown only in the answer that creates it.")
public record ApplicationView(int applicationId, String name, String apiKey) {
}
