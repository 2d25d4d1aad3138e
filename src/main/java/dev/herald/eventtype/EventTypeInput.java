package dev.herald.eventtype;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

@Description("An event type of the application's catalogue, made or replaced whole.")
@Input("EventTypeInput")
public class EventTypeInput {

    @NonNull
    @Description("Its name: dot-separated parts of letters, digits, _ and - (order.created)")
    public String name;

    @Description("What its events say, for the people who receive them")
    public String description;

    @Description("A JSON Schema (2020-12 unless its $schema names draft 2019-09 or 7) that its events must satisfy"
            + " at ingest, as JSON text; null: any JSON")
    public String schema;
}
