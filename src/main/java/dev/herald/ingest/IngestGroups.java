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
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Takes in requests to {@code POST /v1/events} by groups (those without an {@code Idempotency-Key}): a request
 * that finds fewer than {@code herald.ingest.group-statements} statements running goes at once; one that finds them
 * all busy waits for the next, with every other request that arrived meanwhile, and they share one statement and
 * one commit ({@code herald_ingest}, db/functions/ingest.sql). Each request still gets its own verdict (its
 * allowance, its providers' ownership) and is answered only once its events are committed. A group whose statement
 * fails is taken in again request by request, so that one request's failure is its own.
 */
@ApplicationScoped
public class IngestGroups {

    /** Events one group statement takes at most (a request larger than what is left goes in the next group). */
    static final int MAX_GROUP_EVENTS = 1_000;

    private static final String INGEST = """
            SELECT request, granted, per_second, per_request, remaining, full_in_ms, retry_in_ms, unowned_event,
                   event_ids
              FROM herald_ingest($1, $2, $3, $4, $5, $6, $7)""";

    /**
     * What became of one request: its allowance, and either its events' ids or the position (from 1) of its first
     * event whose provider is not its application's.
     */
    public record Taken(Allowance allowance, Integer unownedEvent, List<Long> eventIds) {
    }

    private record Request(int applicationId, List<IncomingEvent> events, String traceparent,
            UniEmitter<? super Taken> answer) {
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

    /** Takes in one request's events; answers once they are committed, or refused. */
    public Uni<Taken> take(int applicationId, List<IncomingEvent> events, String traceparent) {
        return Uni.createFrom().<Taken> emitter(answer -> {
            unanswered.incrementAndGet();
            waiting.add(new Request(applicationId, events, traceparent, answer));
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
        Request next;
        while (events < MAX_GROUP_EVENTS && (next = waiting.peek()) != null
                && (group.isEmpty() || events + next.events().size() <= MAX_GROUP_EVENTS)) {
            waiting.poll();
            group.add(next);
            events += next.events().size();
        }
        return group;
    }

    /** One statement for the group; when it fails, each request alone, so that only its own failure reaches it. */
    private Uni<Void> run(List<Request> group) {
        return statement(group)
                .invoke(rows -> answer(group, rows))
                .replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    if (group.size() == 1) {
                        group.get(0).answer().fail(failure);
                        return Uni.createFrom().voidItem();
                    }
                    return Uni.join().all(group.stream().map(request -> run(List.of(request))).toList())
                            .andCollectFailures().replaceWithVoid();
                });
    }

    private Uni<RowSet<Row>> statement(List<Request> group) {
        metrics.ingestStatement();
        Integer[] applications = new Integer[group.size()];
        String[] traceparents = new String[group.size()];
        List<Integer> eventRequests = new ArrayList<>();
        List<Integer> providers = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            Request request = group.get(i);
            applications[i] = request.applicationId();
            traceparents[i] = request.traceparent();
            for (IncomingEvent event : request.events()) {
                eventRequests.add(i + 1);
                providers.add(event.providerId());
                payloads.add(event.json());
            }
        }
        return pool.preparedQuery(INGEST).execute(Tuple.from(List.of(applications, traceparents,
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
                request.answer().fail(new Unauthorized("unknown API key")); // the application was deleted meanwhile
                continue;
            }
            Allowance allowance = new Allowance(row.getBoolean("granted"), row.getInteger("per_second"),
                    row.getInteger("per_request"), row.getInteger("remaining"), row.getLong("full_in_ms"),
                    row.getLong("retry_in_ms"), request.events().size());
            Long[] ids = row.getArrayOfLongs("event_ids");
            request.answer().complete(new Taken(allowance, row.getInteger("unowned_event"),
                    ids == null ? null : List.of(ids)));
        }
    }
}
