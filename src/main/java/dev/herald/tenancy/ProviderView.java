package dev.herald.tenancy;

import org.eclipse.microprofile.graphql.Type;

@Type("Provider")
public record ProviderView(int providerId, String name, int channelType, int applicationId) {

    static ProviderView of(Provider provider) {
        return new ProviderView(provider.id, provider.name, provider.channelType, provider.applicationId);
    }
}
