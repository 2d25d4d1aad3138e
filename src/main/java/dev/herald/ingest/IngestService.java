package dev.herald.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Puts the events of one request into the outbox in a transaction of its own: one ownership check and one multi-row
 * INSERT, with the idempotency key's claim when it has one. This is the path of requests with a key and of requests
 * too large for a group; the others are taken in by {@link IngestGroups}. When it answers, the events are committed;
 * the INSERT's trigger has notified the dispatchers.
 *
 * <p>A key is claimed in the same transaction ({@code event_idempotency}): the first request with it stores its
 * events and remembers their ids and the body's SHA-256; a repeat within {@code herald.ingest.idempotency-window}
 * stores nothing and answers the first request's ids, or is refused when its body differs. A repeat that races the
 * first waits for it (the key's row is locked until the first commits).
 */
@ApplicationScoped
public class IngestService {

    static final int MAX_KEY_LENGTH = 255;

    /* the operational provider's events are Herald's own (operational.sql): producers cannot post them */
    private static final String OWNED_PROVIDERS = "SELECT id FROM provider WHERE application_id = $1 AND id = ANY($2)"
            + " AND NOT operational";
    private static final String INSERT_EVENTS = """
            INSERT INTO event (provider_id, payload, idempotency_key, traceparent, application_id, event_type)
            SELECT provider_id, payload::json, $3, $4, $5, $6
              FROM unnest($1::int[], $2::text[]) AS e(provider_id, payload)
            RETURNING id""";
    /* $1 application, $2 key, $3 body hash, $4 window in ms: a row when this request may use the key */
    private static final String CLAIM_KEY = """
            INSERT INTO event_idempotency (application_id, idempotency_key, body_sha256) VALUES ($1, $2, $3)
            ON CONFLICT (application_id, idempotency_key) DO UPDATE
               SET body_sha256 = excluded.body_sha256, event_ids = NULL, accepted_at = clock_timestamp()
             WHERE event_idempotency.accepted_at < clock_timestamp() - $4 * interval '1 millisecond'
            RETURNING 1""";
    private static final String EARLIER_USE = """
            SELECT body_sha256, event_ids FROM event_idempotency WHERE application_id = $1 AND idempotency_key = $2""";
    private static final String REMEMBER_IDS = """
            UPDATE event_idempotency SET event_ids = $3 WHERE application_id = $1 AND idempotency_key = $2""";

    @Inject
    Pool pool;

    @Inject
    IngestConfig config;

    List<IncomingEvent> parse(byte[] body) {
        return new EventBodyParser(config.maxEventSize()).parse(body);
    }

    /** Refuses a key that breaks the rules; null (no header) is fine. */
    static void checkKey(String idempotencyKey) {
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_KEY_LENGTH)) {
            throw new InvalidInput("Idempotency-Key", "must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
    }

    /**
     * Stores the events of the application, once per idempotency key within the window ({@code key} null: no key),
     * with their trace context ({@code traceparent}, or null) and type ({@code eventType}, or null); answers their
     * ids, in order, or the ids the key's first request got.
     */
    public Uni<List<Long>> accept(int applicationId, List<IncomingEvent> events, String key, byte[] body,
            String traceparent, String eventType) {
        Integer[] providers = events.stream().map(IncomingEvent::providerId).toArray(Integer[]::new);
        return pool.withTransaction(connection -> connection.preparedQuery(OWNED_PROVIDERS)
                .execute(Tuple.of(applicationId, providers))
                .invoke(rows -> requireOwned(events, rows))
                .chain(() -> key == null
                        ? insert(connection, applicationId, providers, events, null, traceparent, eventType)
                        : once(connection, applicationId, providers, events, key, sha256(body, eventType),
                                traceparent, eventType)));
    }

    private Uni<List<Long>> once(SqlConnection connection, int applicationId, Integer[] providers,
            List<IncomingEvent> events, String key, byte[] hash, String traceparent, String eventType) {
        return connection.preparedQuery(CLAIM_KEY)
                .execute(Tuple.of(applicationId, key, hash, config.idempotencyWindow().toMillis()))
                .chain(claimed -> claimed.size() > 0
                        ? insert(connection, applicationId, providers, events, key, traceparent, eventType).call(ids -> connection.preparedQuery(REMEMBER_IDS)
                                .execute(Tuple.of(applicationId, key, ids.toArray(Long[]::new))))
                        : earlierAnswer(connection, applicationId, key, hash));
    }

    /** The ids a key's first request got, when this one repeats it exactly. */
    private static Uni<List<Long>> earlierAnswer(SqlConnection connection, int applicationId, String key, byte[] hash) {
        return connection.preparedQuery(EARLIER_USE).execute(Tuple.of(applicationId, key)).map(rows -> {
            Row earlier = rows.iterator().next();
            byte[] earlierHash = earlier.getBuffer("body_sha256") == null ? null
                    : earlier.getBuffer("body_sha256").getBytes();
            Long[] ids = earlier.getArrayOfLongs("event_ids");
            if (earlierHash == null || ids == null || !Arrays.equals(earlierHash, hash)) {
                throw new IdempotencyConflict(key);
            }
            return List.of(ids);
        });
    }

    private static Uni<List<Long>> insert(SqlConnection connection, int applicationId, Integer[] providers,
            List<IncomingEvent> events, String key, String traceparent, String eventType) {
        String[] payloads = events.stream().map(IncomingEvent::json).toArray(String[]::new);
        return connection.preparedQuery(INSERT_EVENTS).execute(Tuple.of(providers, payloads, key, traceparent,
                applicationId, eventType)).map(rows -> {
            List<Long> ids = new ArrayList<>(rows.size());
            for (Row row : rows) {
                ids.add(row.getLong(0));
            }
            return ids;
        });
    }

    /** What a repeat must match: the body, and the event type when there is one (untyped: the body's hash alone). */
    private static byte[] sha256(byte[] body, String eventType) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            if (eventType != null) {
                digest.update((eventType + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return digest.digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
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
