package dev.herald.quota;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.herald.api.InvalidInput;
import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.NotFound;
import dev.herald.tenancy.ApplicationView;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Each application's limits: read beside the application, set by the admin. */
@GraphQLApi
@LogsUnexpectedFailures
public class QuotaGraphQL {

    private static final String OWN = """
            SELECT id, max_webhooks, max_portal_tokens, max_events_per_request, max_events_per_second
              FROM application WHERE id = ANY($1)""";

    private static final String SET = """
            UPDATE application SET max_webhooks = $2, max_events_per_request = $3, max_events_per_second = $4,
                                   max_portal_tokens = $5, updated_on = clock_timestamp()
             WHERE id = $1
            RETURNING id, max_webhooks, max_portal_tokens, max_events_per_request, max_events_per_second""";

    @Inject
    CallerResolver callers;

    @Inject
    QuotaConfig defaults;

    @Inject
    Pool pool;

    @Description("Its limits, as every replica enforces them")
    public Uni<List<@NonNull ApplicationLimits>> limits(@Source List<ApplicationView> applications) {
        Integer[] ids = applications.stream().map(ApplicationView::applicationId).toArray(Integer[]::new);
        return pool.preparedQuery(OWN).execute(Tuple.of((Object) ids)).map(rows -> {
            Map<Integer, ApplicationLimits> byId = new HashMap<>();
            rows.forEach(row -> byId.put(row.getInteger("id"), limits(row)));
            return applications.stream().map(a -> byId.getOrDefault(a.applicationId(), defaults())).toList();
        });
    }

    @Mutation("setApplicationLimits") // named: SmallRye drops the "set" of a method name
    @Description("Sets an application's own limits (admin key only); a limit left out follows the deployment's"
            + " default. Answers the limits now in force.")
    public Uni<ApplicationLimits> setApplicationLimits(
            @Name("applicationLimitsInput") @NonNull ApplicationLimitsInput input) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .invoke(() -> check(input))
                .chain(() -> pool.preparedQuery(SET).execute(Tuple.of(input.applicationId, input.maxWebhooks,
                        input.maxEventsPerRequest, input.maxEventsPerSecond, input.maxPortalTokens)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new NotFound("applicationId", "application", input.applicationId);
                    }
                    return limits(rows.iterator().next());
                });
    }

    private static void check(ApplicationLimitsInput input) {
        if (input.maxWebhooks != null && input.maxWebhooks < 0) {
            throw new InvalidInput("maxWebhooks", "must be 0 or more");
        }
        if (input.maxPortalTokens != null && input.maxPortalTokens < 0) {
            throw new InvalidInput("maxPortalTokens", "must be 0 or more");
        }
        if (input.maxEventsPerRequest != null && input.maxEventsPerRequest < 1) {
            throw new InvalidInput("maxEventsPerRequest", "must be 1 or more");
        }
        if (input.maxEventsPerSecond != null && input.maxEventsPerSecond < 1) {
            throw new InvalidInput("maxEventsPerSecond", "must be 1 or more");
        }
    }

    private ApplicationLimits defaults() {
        return new ApplicationLimits(defaults.tenancy().maxWebhooksPerApplication(),
                defaults.tenancy().maxPortalTokensPerApplication(), defaults.ingest().maxEventsPerRequest(),
                defaults.ingest().maxEventsPerSecondPerApplication(), false);
    }

    private ApplicationLimits limits(Row row) {
        Integer webhooks = row.getInteger("max_webhooks");
        Integer portalTokens = row.getInteger("max_portal_tokens");
        Integer perRequest = row.getInteger("max_events_per_request");
        Integer perSecond = row.getInteger("max_events_per_second");
        ApplicationLimits fallback = defaults();
        return new ApplicationLimits(webhooks == null ? fallback.maxWebhooks() : webhooks,
                portalTokens == null ? fallback.maxPortalTokens() : portalTokens,
                perRequest == null ? fallback.maxEventsPerRequest() : perRequest,
                perSecond == null ? fallback.maxEventsPerSecond() : perSecond,
                webhooks != null || portalTokens != null || perRequest != null || perSecond != null);
    }
}
