package dev.herald.operator;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.herald.api.Ids;
import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.api.Pages;
import dev.herald.tenancy.Caller;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The events fan-out set aside (db/functions/fan_out.sql), for the operator: listed newest first, and sent again
 * once their cause is gone (a fixed function, a provider restored). Admin key only.
 */
@GraphQLApi
@LogsUnexpectedFailures
public class SetAsideEventsGraphQL {

    private static final String LIST = """
            SELECT id, application_id, provider_id, accepted_at, set_aside_at, fan_out_error FROM event
             WHERE fan_out_error IS NOT NULL ORDER BY set_aside_at DESC, id DESC LIMIT $1""";

    /*
     * back in fan-out's queue, with their places in fan-out kept: deliveries already made for some of their webhooks
     * are not made twice
     */
    private static final String RETRY = """
            WITH back AS (
                UPDATE event SET fan_out_error = NULL, set_aside_at = NULL
                 WHERE id = ANY($1) AND fan_out_error IS NOT NULL
             RETURNING application_id, id, accepted_at, fan_out_cursor)
            INSERT INTO event_pending (application_id, event_id, event_accepted_at, fan_out_cursor)
            SELECT application_id, id, accepted_at, fan_out_cursor FROM back
            RETURNING event_id""";

    @Inject
    CallerResolver callers;

    @Inject
    Pool pool;

    @Query
    @Description("Events set aside because their fan-out failed, newest first (admin key only).")
    public Uni<@NonNull List<@NonNull SetAsideEvent>> setAsideEvents(
            @DefaultValue(Pages.SET_ASIDE_EVENTS) @Description("How many, 1 to " + Pages.MAX_SET_ASIDE_EVENTS) int limit) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .invoke(() -> Pages.size("limit", limit, Pages.MAX_SET_ASIDE_EVENTS))
                .chain(() -> pool.preparedQuery(LIST).execute(Tuple.of(limit)))
                .map(rows -> {
                    List<SetAsideEvent> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new SetAsideEvent(row.getLong("id").toString(), row.getInteger("application_id"),
                                row.getInteger("provider_id"), row.getOffsetDateTime("accepted_at").toInstant(),
                                row.getOffsetDateTime("set_aside_at").toInstant(), row.getString("fan_out_error")));
                    }
                    return events;
                });
    }

    @Mutation
    @Description("Sends set-aside events to fan-out again (admin key only). Answers how many went back; one that fails"
            + " again is set aside again.")
    public Uni<Integer> retrySetAsideEvents(@Name("eventIds") @NonNull List<@NonNull String> eventIds) {
        return callers.current()
                .invoke(Caller::requireAdmin)
                .map(admin -> eventIds.stream().map(id -> Ids.parse("eventIds", id)).toArray(Long[]::new))
                .chain(ids -> pool.withTransaction(connection -> connection.preparedQuery(RETRY)
                        .execute(Tuple.of((Object) ids))
                        .call(rows -> connection.query("NOTIFY herald_outbox").execute())))
                .map(rows -> rows.rowCount());
    }
}
