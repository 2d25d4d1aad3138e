package dev.herald.ingest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.NotFound;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Puts events into the outbox: one ownership check and one multi-row INSERT, in one transaction. When it
 * answers, the events are committed; the INSERT's trigger has notified the dispatchers.
 */
@ApplicationScoped
public class IngestService {

    private static final String OWNED_PROVIDERS = "SELECT id FROM provider WHERE application_id = $1 AND id = ANY($2)";
    private static final String INSERT_EVENTS = """
            INSERT INTO event (provider_id, payload)
            SELECT provider_id, payload::json FROM unnest($1::int[], $2::text[]) AS e(provider_id, payload)
            RETURNING id""";

    @Inject
    Pool pool;

    @Inject
    IngestConfig config;

    List<IncomingEvent> parse(byte[] body) {
        return new EventBodyParser(config.maxEventSize()).parse(body);
    }

    /** Stores the events of the application; answers their ids, in order. */
    public Uni<List<Long>> accept(int applicationId, List<IncomingEvent> events) {
        Integer[] providers = events.stream().map(IncomingEvent::providerId).toArray(Integer[]::new);
        String[] payloads = events.stream().map(IncomingEvent::json).toArray(String[]::new);
        return pool.withTransaction(connection -> connection.preparedQuery(OWNED_PROVIDERS)
                .execute(Tuple.of(applicationId, providers))
                .invoke(rows -> requireOwned(events, rows))
                .chain(() -> connection.preparedQuery(INSERT_EVENTS).execute(Tuple.of(providers, payloads)))
                .map(rows -> {
                    List<Long> ids = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        ids.add(row.getLong(0));
                    }
                    return ids;
                }));
    }

    private static void requireOwned(List<IncomingEvent> events, Iterable<Row> owned) {
        Set<Integer> ownedIds = new HashSet<>();
        owned.forEach(row -> ownedIds.add(row.getInteger(0)));
        for (IncomingEvent event : events) {
            if (!ownedIds.contains(event.providerId())) {
                throw new NotFound(event.field(), "provider", event.providerId());
            }
        }
    }
}
