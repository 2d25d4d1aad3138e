package dev.herald.eventtype;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.networknt.schema.Schema;

import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.api.PlainText;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Each application's catalogue of event types, and the check at ingest: a request's type must be in its
 * application's catalogue, and its events must satisfy the type's schema. Each replica keeps the types in use with
 * their compiled schemas (at most {@link #MAX_KEPT}) and asks the database again after {@link #KEPT_MS}, reading a
 * schema again only when it changed: a change reaches every replica's ingest within that. Schemas are compiled and
 * applied on worker threads, never on the event loop.
 */
@ApplicationScoped
public class EventTypeCatalogue {

    public static final int MAX_TYPES_PER_APPLICATION = 1_000;
    static final long KEPT_MS = 2_000;
    private static final int MAX_DESCRIPTION = 500;
    private static final int MAX_KEPT = 1_000;

    /* $1 application: its row, so that types set at once count each other against the limit */
    private static final String LOCK_APPLICATION = "SELECT 1 FROM application WHERE id = $1 FOR NO KEY UPDATE";
    /* $1 application, $2 name, $3 description, $4 schema, $5 the limit: made or replaced whole */
    private static final String SET = """
            INSERT INTO event_type AS t (application_id, name, description, json_schema)
            SELECT $1, $2, $3, $4
             WHERE EXISTS (SELECT 1 FROM event_type o WHERE o.application_id = $1 AND o.name = $2)
                OR (SELECT count(*) FROM event_type o WHERE o.application_id = $1) < $5
                ON CONFLICT (application_id, name) DO UPDATE
               SET description = excluded.description, json_schema = excluded.json_schema,
                   updated_on = clock_timestamp()
            RETURNING t.name, t.description, t.json_schema, t.created_on, t.updated_on""";
    private static final String DELETE = "DELETE FROM event_type WHERE application_id = $1 AND name = $2 RETURNING name";
    private static final String LIST = """
            SELECT name, description, json_schema, created_on, updated_on FROM event_type
             WHERE application_id = $1 ORDER BY name""";
    /* $1 application, $2 name, $3 the version kept: the schema only when it changed since */
    private static final String ONE = """
            SELECT updated_on, CASE WHEN updated_on IS DISTINCT FROM $3 THEN json_schema END AS json_schema
              FROM event_type WHERE application_id = $1 AND name = $2""";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    /** What a replica read of one type: its version and compiled schema (null: any JSON), and when it asked. */
    private record Known(OffsetDateTime version, Schema schema, long readAt) {
    }

    private record Key(int applicationId, String name) {
    }

    private final ConcurrentHashMap<Key, Known> kept = new ConcurrentHashMap<>();

    public Uni<EventTypeView> set(int applicationId, EventTypeInput input) {
        String name = EventTypeNames.check("name", input.name);
        PlainText.lines("description", input.description);
        if (input.description != null && input.description.length() > MAX_DESCRIPTION) {
            throw new InvalidInput("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        String schema = input.schema == null || input.schema.isBlank() ? null : input.schema;
        if (schema != null && schema.length() > EventSchemas.MAX_SCHEMA_LENGTH) {
            throw new InvalidInput("schema", "must be at most " + EventSchemas.MAX_SCHEMA_LENGTH + " characters");
        }
        Uni<Void> compiled = schema == null ? Uni.createFrom().voidItem()
                : vertx.executeBlocking(() -> EventSchemas.compile("schema", schema), false).replaceWithVoid();
        return compiled.chain(() -> pool.withTransaction(connection -> connection.preparedQuery(LOCK_APPLICATION)
                .execute(Tuple.of(applicationId))
                .chain(() -> connection.preparedQuery(SET).execute(Tuple.from(new Object[] { applicationId, name,
                        input.description == null || input.description.isEmpty() ? null : input.description, schema,
                        MAX_TYPES_PER_APPLICATION })))))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new InvalidInput("name", "the application has " + MAX_TYPES_PER_APPLICATION
                                + " event types, the most it may have; delete one first");
                    }
                    kept.remove(new Key(applicationId, name));
                    return EventTypeView.of(rows.iterator().next());
                });
    }

    public Uni<Boolean> delete(int applicationId, String name) {
        EventTypeNames.check("name", name);
        return pool.preparedQuery(DELETE).execute(Tuple.of(applicationId, name)).map(rows -> {
            if (rows.size() == 0) {
                throw new NotFound("name", "event type", name);
            }
            kept.remove(new Key(applicationId, name));
            return Boolean.TRUE;
        });
    }

    public Uni<List<EventTypeView>> list(int applicationId) {
        return pool.preparedQuery(LIST).execute(Tuple.of(applicationId)).map(rows -> {
            List<EventTypeView> views = new ArrayList<>();
            for (Row row : rows) {
                views.add(EventTypeView.of(row));
            }
            return views;
        });
    }

    /**
     * Refuses the request when {@code type} is not in the application's catalogue, or when an event breaks the
     * type's schema, naming the event ({@code field} of its position), the type and the failing path.
     */
    public Uni<Void> check(int applicationId, String type, List<String> fields, List<String> events) {
        return known(applicationId, type).chain(known -> {
            if (known.schema() == null) {
                return Uni.createFrom().voidItem();
            }
            return vertx.executeBlocking(() -> BoundedPatterns.within(() -> {
                for (int i = 0; i < events.size(); i++) {
                    String failure = EventSchemas.firstFailure(known.schema(), events.get(i));
                    if (failure != null) {
                        throw new InvalidInput(fields.get(i), "breaks the schema of event type " + type + ": "
                                + failure);
                    }
                }
                return Boolean.TRUE;
            }), false).replaceWithVoid();
        });
    }

    /** The type as this replica knows it, asked again after {@link #KEPT_MS}; a type not in the catalogue fails. */
    private Uni<Known> known(int applicationId, String type) {
        Key key = new Key(applicationId, type);
        Known known = kept.get(key);
        long now = System.currentTimeMillis();
        if (known != null && now - known.readAt() < KEPT_MS) {
            return Uni.createFrom().item(known);
        }
        return pool.preparedQuery(ONE).execute(Tuple.of(applicationId, type, known == null ? null : known.version()))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        kept.remove(key); // names not in the catalogue are not kept: any name may be asked
                        throw new InvalidInput(IngestHeader.EVENT_TYPE, '"' + type + "\" is not one of the"
                                + " application's event types (setEventType adds it)");
                    }
                    Row row = rows.iterator().next();
                    OffsetDateTime version = row.getOffsetDateTime("updated_on");
                    if (known != null && version.equals(known.version())) {
                        return Uni.createFrom().item(keep(key, new Known(version, known.schema(), now)));
                    }
                    String schema = row.getString("json_schema");
                    return (schema == null ? Uni.createFrom().<Schema>nullItem()
                            : vertx.executeBlocking(() -> EventSchemas.compile("schema", schema), false))
                            .map(compiled -> keep(key, new Known(version, compiled, now)));
                });
    }

    private Known keep(Key key, Known known) {
        if (kept.size() >= MAX_KEPT && !kept.containsKey(key)) {
            long stale = System.currentTimeMillis() - KEPT_MS;
            kept.values().removeIf(entry -> entry.readAt() < stale);
            if (kept.size() >= MAX_KEPT) {
                return known; // all in use: this one is compiled again next time rather than evict another
            }
        }
        kept.put(key, known);
        return known;
    }

    /** The request header that tags a request's events with a type. */
    public static final class IngestHeader {

        public static final String EVENT_TYPE = "Herald-Event-Type";

        private IngestHeader() {
        }
    }
}
