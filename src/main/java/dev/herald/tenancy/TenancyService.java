package dev.herald.tenancy;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.api.InvalidInput;
import dev.herald.api.Timestamps;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;

/** Applications and providers. */
@ApplicationScoped
public class TenancyService {

    static final int MAX_NAME_LENGTH = 200;

    /** A new application and its first API key, returned in plain text this once. */
    @WithTransaction
    public Uni<ApplicationView> createApplication(CreateApplicationInput input) {
        String name = requireName(input.name);
        String key = ApiKeys.generate();
        Instant now = Timestamps.now();
        Application application = new Application();
        application.name = name;
        application.createdOn = now;
        application.updatedOn = now;
        return application.<Application>persist()
                .chain(saved -> storeKey(saved.id, key))
                .map(ignored -> new ApplicationView(application.id, application.name, key));
    }

    @WithTransaction
    public Uni<ProviderView> createProvider(int applicationId, CreateProviderInput input) {
        String name = requireName(input.name);
        if (input.channelType == null || input.channelType < 1) {
            throw new InvalidInput("channelType", "must be a positive integer (1 SMTP, 2 Mailgun, ... as in OsmoX)");
        }
        Instant now = Timestamps.now();
        Provider provider = new Provider();
        provider.applicationId = applicationId;
        provider.name = name;
        provider.channelType = input.channelType;
        provider.createdOn = now;
        provider.updatedOn = now;
        return provider.<Provider>persist().map(ProviderView::of);
    }

    @WithSession
    public Uni<List<ProviderView>> providers(int applicationId) {
        return Provider.<Provider>list("applicationId = ?1 order by id", applicationId)
                .map(list -> list.stream().map(ProviderView::of).toList());
    }

    Uni<ApiKey> storeKey(int applicationId, String plainKey) {
        ApiKey apiKey = new ApiKey();
        apiKey.applicationId = applicationId;
        apiKey.keyHash = ApiKeys.hash(plainKey);
        apiKey.createdOn = Timestamps.now();
        return apiKey.persist();
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidInput("name", "must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidInput("name", "must be at most " + MAX_NAME_LENGTH + " characters");
        }
        return name.strip();
    }
}
