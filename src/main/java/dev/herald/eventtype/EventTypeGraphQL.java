package dev.herald.eventtype;

import java.util.List;

import jakarta.inject.Inject;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.herald.api.LogsUnexpectedFailures;
import dev.herald.portal.ScopeCheck;
import dev.herald.tenancy.CallerResolver;
import io.smallrye.mutiny.Uni;

/** The application's catalogue of event types. */
@GraphQLApi
@LogsUnexpectedFailures
public class EventTypeGraphQL {

    @Inject
    CallerResolver callers;

    @Inject
    ScopeCheck scopes;

    @Inject
    EventTypeCatalogue catalogue;

    @Mutation("setEventType") // named, or the "set" would be dropped
    @Description("Adds an event type to the caller's catalogue, or replaces it whole: producers tag events with it"
            + " (the Herald-Event-Type header of POST /v1/events), its schema is checked at ingest, webhooks"
            + " subscribe to it (eventTypes). Each replica sees a change within 2 s.")
    public Uni<EventTypeView> setEventType(@Name("eventTypeInput") @NonNull EventTypeInput input) {
        return callers.current().chain(caller -> catalogue.set(caller.requireApplication(), input));
    }

    @Mutation
    @Description("Removes an event type from the caller's catalogue: events can no longer be tagged with it. Events"
            + " and subscriptions that name it stay as they are. Answers true.")
    public Uni<Boolean> deleteEventType(@Name("name") @NonNull String name) {
        return callers.current().chain(caller -> catalogue.delete(caller.requireApplication(), name));
    }

    @Query("eventTypes")
    @Description("The caller's event types, by name, with their schemas.")
    public Uni<@NonNull List<@NonNull EventTypeView>> eventTypes() {
        return callers.current().chain(caller -> catalogue.list(scopes.listing(caller, null).applicationId()));
    }
}
