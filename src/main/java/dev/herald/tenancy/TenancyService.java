package dev.herald.tenancy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.api.PlainText;
import dev.herald.api.Timestamps;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Applications and providers. */
@ApplicationScoped
public class TenancyService {

    @Inject
    Pool pool;

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

    /**
     * On the raw pool: GraphQL may resolve several fields of one request at once (aliases, or {@code providers}
     * beside {@code webhooks}), and a Hibernate Reactive session would be shared between them.
     */
    public Uni<List<ProviderView>> providers(int applicationId, Integer onlyProvider, int limit, int afterId) {
        return pool.preparedQuery("SELECT id, name, channel_type, application_id FROM provider"
                + " WHERE application_id = $1 AND NOT operational AND id > $2 AND ($4::int IS NULL OR id = $4)"
                + " ORDER BY id LIMIT $3")
                .execute(Tuple.of(applicationId, afterId, limit, onlyProvider))
                .map(rows -> {
                    List<ProviderView> views = new ArrayList<>();
                    rows.forEach(row -> views.add(new ProviderView(row.getInteger("id"), row.getString("name"),
                            row.getInteger("channel_type"), row.getInteger("application_id"))));
                    return views;
                });
    }

    /** Up to {@code limit} applications older than {@code beforeId}, newest first (without keys: only hashes). */
    public Uni<List<ApplicationView>> applications(int limit, int beforeId) {
        return pool.preparedQuery("SELECT id, name FROM application WHERE id < $2 ORDER BY id DESC LIMIT $1")
                .execute(Tuple.of(limit, beforeId))
                .map(rows -> {
                    List<ApplicationView> views = new ArrayList<>();
                    rows.forEach(row -> views.add(new ApplicationView(row.getInteger("id"), row.getString("name"), null)));
                    return views;
                });
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
        PlainText.line("name", name);
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidInput("name", "must be at most " + MAX_NAME_LENGTH + " characters");
        }
        return name.strip();
    }
}
