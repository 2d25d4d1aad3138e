package dev.herald.ingest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.herald.api.Unauthorized;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.quota.Allowance;
import dev.herald.quota.QuotaConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes in requests to {@code POST /v1/events} by groups (those without an {@code Idempotency-Key}): a request
 * that finds fewer than {@code herald.ingest.group-statements} statements running goes at once; one that finds them
 * all busy waits for the next, with every other request that arrived meanwhile, and they share one statement and
 * one commit ({@code herald_ingest}, db/functions/ingest.sql). Each request still gets its own verdict (its key, its
 * allowance, its providers' ownership) and is answered only once its events are committed. A group is at most
 * {@link #MAX_GROUP_EVENTS} events and {@link #MAX_GROUP_BYTES}; a larger request takes the path of its own
 * ({@link IngestService}), which holds its application's bucket only for the moment of taking from it, so that a
 * large insert never keeps a group waiting for that bucket. A group whose statement is refused by PostgreSQL (it rolled back) is taken
 * in again request by request, one after another, so that one request's failure is its own; a group whose outcome
 * is unknown (the connection failed) is answered with that failure, never stored twice.
 */
@ApplicationScoped
public class IngestGroups {

    /** Events one group statement takes at most (a request larger than what is left goes in the next group). */
    static final int MAX_GROUP_EVENTS = 1_000;

    /** Bytes of events one group statement takes at most (a larger request takes a path of its own). */
    static final int MAX_GROUP_BYTES = 1 << 20;

    /** Whether a request is small enough for a group. */
    static boolean fits(List<IncomingEvent> events) {
        return events.size() <= MAX_GROUP_EVENTS && bytes(events) <= MAX_GROUP_BYTES;
    }

    private static int bytes(List<IncomingEvent> events) {
        return events.stream().mapToInt(event -> event.json().length()).sum();
    }

    private static final String INGEST = """
            SELECT request, granted, per_second, per_request, remaining, full_in_ms, retry_in_ms, unowned_event,
                   event_ids
              FROM herald_ingest($1, $2, $3, $4, $5, $6, $7, $8)""";

    /**
     * What became of one request: its allowance, and either its events' ids or the position (from 1) of its first
     * event whose provider is not its application's.
     */
    public record Taken(Allowance allowance, Integer unownedEvent, List<Long> eventIds) {
    }

    private record Request(int applicationId, String keyHash, List<IncomingEvent> events, int bytes,
            String traceparent, UniEmitter<? super Taken> answer) {
    }

    private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger unanswered = new AtomicInteger();

    @Inject
    Pool pool;

    @Inject
    IngestConfig config;

    @Inject
    QuotaConfig quotas;

    @Inject
    DeliveryMetrics metrics;

    /**
     * Takes in one request's events (one that {@link #fits}), presented with the key of this hash (the statement
     * checks that it is still the application's); answers once they are committed, or refused.
     */
    public Uni<Taken> take(int applicationId, String keyHash, List<IncomingEvent> events, String traceparent) {
        if (!fits(events)) {
            throw new IllegalArgumentException("a request over a group's size takes IngestService");
        }
        int bytes = bytes(events);
        return Uni.createFrom().<Taken> emitter(answer -> {
            unanswered.incrementAndGet();
            waiting.add(new Request(applicationId, keyHash, events, bytes, traceparent, answer));
            startGroups();
        }).onTermination().invoke(unanswered::decrementAndGet);
    }

    /** Requests taken and not yet answered: waiting for a statement or in one. */
    int unanswered() {
        return unanswered.get();
    }

    /** Starts a group statement for the waiting requests while fewer than the configured number run. */
    private void startGroups() {
        while (!waiting.isEmpty()) {
            int now = running.get();
            if (now >= config.groupStatements()) {
                return; // the statement that ends next starts the next group
            }
            if (!running.compareAndSet(now, now + 1)) {
                continue;
            }
            List<Request> group = nextGroup();
            if (group.isEmpty()) {
                running.decrementAndGet(); // another caller took them; the loop looks again
                continue;
            }
            run(group).subscribe().with(done -> groupEnded(), failure -> groupEnded());
        }
    }

    private void groupEnded() {
        running.decrementAndGet();
        startGroups();
    }

    private List<Request> nextGroup() {
        List<Request> group = new ArrayList<>();
        int events = 0;
        int bytes = 0;
        Request next;
        while ((next = waiting.peek()) != null && events + next.events().size() <= MAX_GROUP_EVENTS
                && bytes + next.bytes() <= MAX_GROUP_BYTES) {
            waiting.poll();
            group.add(next);
            events += next.events().size();
            bytes += next.bytes();
        }
        return group;
    }

    /**
     * One statement for the group. When PostgreSQL refused it (it rolled back), each request again on its own, one
     * after another, so that only its own failure reaches it; any other failure (the connection, a timeout: the
     * commit may have happened) reaches every request of the group, which are not stored again.
     */
    private Uni<Void> run(List<Request> group) {
        return Uni.createFrom().deferred(() -> statement(group))
                .onItemOrFailure().transformToUni((rows, failure) -> {
                    if (failure == null) {
                        answer(group, rows);
                        return Uni.createFrom().voidItem();
                    }
                    if (group.size() == 1 || !rolledBack(failure)) {
                        group.forEach(request -> request.answer().fail(failure));
                        return Uni.createFrom().voidItem();
                    }
                    return Multi.createFrom().iterable(group).onItem()
                            .transformToUniAndConcatenate(request -> run(List.of(request)))
                            .collect().last().replaceWithVoid();
                });
    }

    /** Whether PostgreSQL answered the statement with an error, so that it rolled back: not a lost connection. */
    private static boolean rolledBack(Throwable failure) {
        if (!(failure instanceof PgException refused) || refused.getSqlState() == null) {
            return false;
        }
        // connection exceptions, operator intervention (a cancelled or terminated backend), system errors
        return !List.of("08", "57", "58", "XX", "53").contains(refused.getSqlState().substring(0, 2));
    }

    private Uni<RowSet<Row>> statement(List<Request> group) {
        metrics.ingestStatement();
        Integer[] applications = new Integer[group.size()];
        String[] keyHashes = new String[group.size()];
        String[] traceparents = new String[group.size()];
        List<Integer> eventRequests = new ArrayList<>();
        List<Integer> providers = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            Request request = group.get(i);
            applications[i] = request.applicationId();
            keyHashes[i] = request.keyHash();
            traceparents[i] = request.traceparent();
            for (IncomingEvent event : request.events()) {
                eventRequests.add(i + 1);
                providers.add(event.providerId());
                payloads.add(event.json());
            }
        }
        return pool.preparedQuery(INGEST).execute(Tuple.from(List.of(applications, keyHashes, traceparents,
                eventRequests.toArray(Integer[]::new), providers.toArray(Integer[]::new),
                payloads.toArray(String[]::new), quotas.ingest().maxEventsPerSecondPerApplication(),
                quotas.ingest().maxEventsPerRequest())));
    }

    private static void answer(List<Request> group, RowSet<Row> rows) {
        Map<Integer, Row> byRequest = new HashMap<>();
        for (Row row : rows) {
            byRequest.put(row.getInteger("request"), row);
        }
        for (int i = 0; i < group.size(); i++) {
            Request request = group.get(i);
            Row row = byRequest.get(i + 1);
            if (row == null) {
                // the key or its application was deleted since this replica last looked it up
                request.answer().fail(new Unauthorized("unknown API key"));
                continue;
            }
            try {
                Allowance allowance = new Allowance(row.getBoolean("granted"), row.getInteger("per_second"),
                        row.getInteger("per_request"), row.getInteger("remaining"), row.getLong("full_in_ms"),
                        row.getLong("retry_in_ms"), request.events().size());
                Long[] ids = row.getArrayOfLongs("event_ids");
                request.answer().complete(new Taken(allowance, row.getInteger("unowned_event"),
                        ids == null ? null : List.of(ids)));
            } catch (RuntimeException unreadable) { // one request's answer never keeps the others from theirs
                request.answer().fail(unreadable);
            }
        }
    }
}
