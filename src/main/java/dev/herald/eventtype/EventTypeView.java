package dev.herald.eventtype;

import java.time.Instant;

import org.eclipse.microprofile.graphql.DateFormat;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Type;

import dev.herald.api.Timestamps;

@Type("EventType")
@Description("An event type of the application's catalogue.")
public record EventTypeView(
        @NonNull String name,
        String description,
        @Description("The JSON Schema its events must satisfy at ingest, as JSON text; null: any JSON") String schema,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant createdOn,
        @NonNull @DateFormat(Timestamps.JSON_FORMAT) Instant updatedOn) {

    static EventTypeView of(io.vertx.mutiny.sqlclient.Row row) {
        return new EventTypeView(row.getString("name"), row.getString("description"), row.getString("json_schema"),
                row.getOffsetDateTime("created_on").toInstant(), row.getOffsetDateTime("updated_on").toInstant());
    }
}
