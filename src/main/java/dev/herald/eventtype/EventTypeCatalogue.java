package dev.herald.eventtype;

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
 * application's catalogue, and its events must satisfy the type's schema. Replicas keep what they read of the
 * catalogue for {@link #KEPT_MS}: a change reaches every replica's ingest within that.
 */
@ApplicationScoped
public class EventTypeCatalogue {

    public static final int MAX_TYPES_PER_APPLICATION = 1_000;
    static final long KEPT_MS = 2_000;
    private static final int MAX_DESCRIPTION = 500;
    private static final int MAX_KEPT = 10_000;

    /* $1 application, $2 name, $3 description, $4 schema: made or replaced whole, within the application's limit */
    private static final String SET = """
            INSERT INTO event_type AS t (application_id, name, description, json_schema)
            SELECT a.id, $2, $3, $4 FROM application a
             WHERE a.id = $1
               AND (EXISTS (SELECT 1 FROM event_type o WHERE o.application_id = $1 AND o.name = $2)
                    OR (SELECT count(*) FROM event_type o WHERE o.application_id = $1) < $5)
                ON CONFLICT (application_id, name) DO UPDATE
               SET description = excluded.description, json_schema = excluded.json_schema,
                   updated_on = clock_timestamp()
            RETURNING t.name, t.description, t.json_schema, t.created_on, t.updated_on""";
    private static final String DELETE = "DELETE FROM event_type WHERE application_id = $1 AND name = $2 RETURNING name";
    private static final String LIST = """
            SELECT name, description, json_schema, created_on, updated_on FROM event_type
             WHERE application_id = $1 ORDER BY name""";
    private static final String ONE = "SELECT json_schema FROM event_type WHERE application_id = $1 AND name = $2";

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    /** What a replica read of one type: whether it exists and its compiled schema (null: any JSON). */
    private record Known(boolean exists, Schema schema, long readAt) {
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
        if (schema != null) {
            EventSchemas.compile("schema", schema);
        }
        return pool.preparedQuery(SET).execute(Tuple.from(new Object[] { applicationId, name,
                input.description == null || input.description.isEmpty() ? null : input.description, schema,
                MAX_TYPES_PER_APPLICATION }))
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
     * type's schema, naming the event ({@code field} of its position), the type and the failing path. The schema is
     * applied on a worker thread, never on the event loop.
     */
    public Uni<Void> check(int applicationId, String type, List<String> fields, List<String> events) {
        return known(applicationId, type).chain(known -> {
            if (!known.exists()) {
                throw new InvalidInput(IngestHeader.EVENT_TYPE, '"' + type + "\" is not one of the application's"
                        + " event types (setEventType adds it)");
            }
            if (known.schema() == null) {
                return Uni.createFrom().voidItem();
            }
            return vertx.executeBlocking(() -> {
                BoundedPatterns.within(() -> {
                    for (int i = 0; i < events.size(); i++) {
                        String failure = EventSchemas.firstFailure(known.schema(), events.get(i));
                        if (failure != null) {
                            throw new InvalidInput(fields.get(i), "breaks the schema of event type " + type + ": "
                                    + failure);
                        }
                    }
                    return null;
                });
                return null;
            }, false).replaceWithVoid();
        });
    }

    private Uni<Known> known(int applicationId, String type) {
        Key key = new Key(applicationId, type);
        Known known = kept.get(key);
        long now = System.currentTimeMillis();
        if (known != null && now - known.readAt() < KEPT_MS) {
            return Uni.createFrom().item(known);
        }
        return pool.preparedQuery(ONE).execute(Tuple.of(applicationId, type)).map(rows -> {
            Known read;
            if (rows.size() == 0) {
                read = new Known(false, null, now);
            } else {
                String schema = rows.iterator().next().getString("json_schema");
                read = new Known(true, schema == null ? null : EventSchemas.compile("schema", schema), now);
            }
            if (kept.size() >= MAX_KEPT) {
                kept.clear(); // a bound, not a policy: what is in use is read again within a request
            }
            kept.put(key, read);
            return read;
        });
    }

    /** The request header that tags a request's events with a type. */
    public static final class IngestHeader {

        public static final String EVENT_TYPE = "Herald-Event-Type";

        private IngestHeader() {
        }
    }
}
