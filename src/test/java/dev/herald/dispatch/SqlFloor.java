package dev.herald.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.herald.bench.BenchEvent;
import dev.herald.health.HealthJob;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * bench/run's SQL floor: the least durable row work of a delivery on Herald's own schema, with Herald's own
 * statements ({@link FanOut#FAN_OUT}, {@link Claimer#LOCK_DUE_ENDPOINTS} and {@link Claimer#CLAIM},
 * {@link Completer#COMPLETE}, and the health job's {@link HealthJob#FOLD} every second), driver and batch sizes
 * (events inserted 100 a statement, fan-out 500 events and 1,000 deliveries, claims of up to 512 from 100 endpoints
 * and 10 each, completions of up to 500), every attempt a 200 in 1 ms; no HTTP and no Herald process. Run on a schema Herald migrated and BenchSeed filled.
 *
 * One claim loop, as a replica has, with up to {@code completions} completion statements running beside it.
 * Arguments: host port events firstProvider providers completions maxInFlight maxPerMinute. Prints
 * {@code SQL_FLOOR deliveries=N seconds=S per_s=R}.
 */
public final class SqlFloor {

    private static final int INSERT_BATCH = 100;
    private static final int FAN_OUT_EVENTS = 500;
    private static final int FAN_OUT_DELIVERIES = 1000;
    private static final int MAX_ATTEMPTS = 4;
    private static final int CLAIM_LIMIT = 512;
    private static final int ENDPOINTS_PER_CLAIM = 100;
    private static final int PER_ENDPOINT = 10;
    private static final long WINDOW_MS = 61_000;
    private static final long LEASE_MS = 60_000;
    private static final int COMPLETION_BATCH = 500;

    private SqlFloor() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int events = Integer.parseInt(args[2]);
        int firstProvider = Integer.parseInt(args[3]);
        int providers = Integer.parseInt(args[4]);
        int completions = Integer.parseInt(args[5]);
        int maxInFlight = Integer.parseInt(args[6]);
        int maxPerMinute = Integer.parseInt(args[7]);
        Vertx vertx = Vertx.vertx();
        Pool pool = PgPool.pool(vertx, new PgConnectOptions().setHost(host).setPort(port).setDatabase("postgres")
                .setUser("postgres").setPassword("postgres").setCachePreparedStatements(true),
                new PoolOptions().setMaxSize(20));
        try {
            Run warmUp = new Run(pool, Math.min(events, 20_000), 0, firstProvider, providers, maxInFlight,
                    maxPerMinute, completions);
            warmUp.go();
            Run run = new Run(pool, events, warmUp.events, firstProvider, providers, maxInFlight, maxPerMinute,
                    completions);
            double seconds = run.go();
            System.out.printf("SQL_FLOOR deliveries=%d seconds=%.2f per_s=%.0f%n", run.delivered.get(), seconds,
                    run.delivered.get() / seconds);
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** One measured pass: a producer, a fan-out loop and claimers that complete what they claim, to the end. */
    private static final class Run {

        final Pool pool;
        final int events;
        final int firstEvent;
        final int firstProvider;
        final int providers;
        final int maxInFlight;
        final int maxPerMinute;
        final int completions;
        final AtomicLong fannedOut = new AtomicLong();
        final AtomicLong delivered = new AtomicLong();
        volatile Throwable failure;

        Run(Pool pool, int events, int firstEvent, int firstProvider, int providers, int maxInFlight, int maxPerMinute,
                int completions) {
            this.completions = completions;
            this.pool = pool;
            this.events = events;
            this.firstEvent = firstEvent;
            this.firstProvider = firstProvider;
            this.providers = providers;
            this.maxInFlight = maxInFlight;
            this.maxPerMinute = maxPerMinute;
        }

        double go() throws Exception {
            long started = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            threads.add(loop(this::produce));
            threads.add(loop(this::fanOut));
            threads.add(loop(this::claimAndComplete));
            threads.add(loop(this::foldHealth));
            for (Thread thread : threads) {
                thread.join(TimeUnit.MINUTES.toMillis(10));
            }
            if (failure != null) {
                throw new IllegalStateException("the SQL floor failed", failure);
            }
            if (delivered.get() < events) {
                throw new IllegalStateException("only " + delivered.get() + " of " + events + " delivered in 10 minutes");
            }
            return (System.nanoTime() - started) / 1e9;
        }

        private Thread loop(ThrowingRunnable body) {
            Thread thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure = e;
                }
            });
            thread.start();
            return thread;
        }

        private boolean done() {
            return failure != null || delivered.get() >= events;
        }

        private void produce() throws Exception {
            long now = System.currentTimeMillis();
            for (int from = 0; from < events && failure == null; from += INSERT_BATCH) {
                int n = Math.min(INSERT_BATCH, events - from);
                Integer[] providerIds = new Integer[n];
                String[] payloads = new String[n];
                for (int i = 0; i < n; i++) {
                    int id = firstEvent + from + i;
                    providerIds[i] = firstProvider + id % providers;
                    payloads[i] = BenchEvent.json(id, providerIds[i], now);
                }
                await(pool.preparedQuery("INSERT INTO event (provider_id, payload)"
                        + " SELECT * FROM unnest($1::int[], $2::text[]::json[])")
                        .execute(Tuple.from(new Object[] { providerIds, payloads })));
            }
        }

        private void fanOut() throws Exception {
            while (fannedOut.get() < events && failure == null) {
                Row round = await(pool.preparedQuery(FanOut.FAN_OUT)
                        .execute(Tuple.of(FAN_OUT_EVENTS, FAN_OUT_DELIVERIES, MAX_ATTEMPTS))).iterator().next();
                fannedOut.addAndGet(round.getInteger("deliveries"));
                if (round.getInteger("events") == 0) {
                    Thread.sleep(1);
                }
            }
        }

        /* As the health job does (HealthJob, every herald.delivery.health-interval): the logged attempts folded in. */
        private void foldHealth() throws Exception {
            while (!done()) {
                await(pool.preparedQuery(HealthJob.FOLD).execute(Tuple.of(HealthJob.MAX_ATTEMPTS, 5)));
                Thread.sleep(1_000);
            }
        }

        /* As a replica does: one claim loop, and the completions of what it claimed recorded beside it. */
        private void claimAndComplete() throws Exception {
            Semaphore completing = new Semaphore(completions);
            while (!done()) {
                List<Row> claimed = claim();
                if (claimed.isEmpty()) {
                    Thread.sleep(1);
                    continue;
                }
                for (int from = 0; from < claimed.size(); from += COMPLETION_BATCH) {
                    List<Row> batch = claimed.subList(from, Math.min(claimed.size(), from + COMPLETION_BATCH));
                    completing.acquire();
                    complete(batch).onComplete(recorded -> {
                        if (recorded.failed()) {
                            failure = recorded.cause();
                        }
                        completing.release();
                    });
                }
            }
            completing.acquire(completions);
        }

        private List<Row> claim() throws Exception {
            return await(pool.withTransaction(connection -> connection.preparedQuery(Claimer.LOCK_DUE_ENDPOINTS)
                    .execute(Tuple.of(ENDPOINTS_PER_CLAIM, (Object) new Integer[0])).compose(locked -> {
                        Long[] ids = new Long[locked.size()];
                        int i = 0;
                        for (Row row : locked) {
                            ids[i++] = row.getLong(0);
                        }
                        if (ids.length == 0) {
                            return Future.succeededFuture(List.<Row>of());
                        }
                        return connection.preparedQuery(Claimer.CLAIM).execute(Tuple.from(new Object[] { ids,
                                maxInFlight, maxPerMinute, WINDOW_MS, PER_ENDPOINT, LEASE_MS, CLAIM_LIMIT,
                                new Integer[0], new Integer[0], CLAIM_LIMIT, 250L }))
                                .map(SqlFloor::rows);
                    })));
        }

        private Future<Void> complete(List<Row> batch) {
            int n = batch.size();
            Long[] ids = new Long[n];
            Long[] webhooks = new Long[n];
            Long[] tokens = new Long[n];
            Short[] states = new Short[n];
            Long[] retryMillis = new Long[n];
            Boolean[] yes = new Boolean[n];
            Boolean[] no = new Boolean[n];
            Long[] attemptAges = new Long[n];
            Integer[] durations = new Integer[n];
            Short[] statusCodes = new Short[n];
            String[] nothing = new String[n];
            Long[] pauseMillis = new Long[n];
            for (int i = 0; i < n; i++) {
                Row row = batch.get(i);
                ids[i] = row.getLong("id");
                webhooks[i] = row.getLong("webhook_id");
                tokens[i] = row.getLong("claim_token");
                states[i] = DeliveryState.DELIVERED.code();
                retryMillis[i] = 0L;
                yes[i] = true;
                no[i] = false;
                attemptAges[i] = 1L;
                durations[i] = 1;
                statusCodes[i] = 200;
                pauseMillis[i] = 0L;
            }
            return pool.preparedQuery(Completer.COMPLETE).execute(Tuple.from(new Object[] { ids, webhooks, tokens, states,
                    retryMillis, yes, attemptAges, durations, statusCodes, nothing, nothing, pauseMillis, no, yes }))
                    .map(recorded -> {
                        long ended = 0;
                        for (Row row : recorded) {
                            ended += row.getShort("status") == DeliveryState.DELIVERED.code() ? 1 : 0;
                        }
                        delivered.addAndGet(ended);
                        return null;
                    });
        }
    }

    private static List<Row> rows(RowSet<Row> rows) {
        List<Row> list = new ArrayList<>(rows.size());
        rows.forEach(list::add);
        return list;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
