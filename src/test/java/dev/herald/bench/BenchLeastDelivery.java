package dev.herald.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ladder of the least SQL a durable delivery that keeps its history can do on this PostgreSQL, one guarantee
 * added per rung, each rung on its own fresh tables. The rungs, each adding to the one before:
 * <ol>
 * <li>{@code least}: the producer inserts a row per delivery (500 a statement); 4 workers each take 500 at a time
 * (SKIP LOCKED), delete them and write a history row each (one index, by endpoint) in one autocommit statement;
 * <li>{@code claimed}: taking is a claim written to the row (a lease) in one statement, and the outcome (delete,
 * history row) is a second statement: what a worker that sends outside its transaction must do;
 * <li>{@code events}: the producer inserts events, and one fan-out thread turns them into deliveries (500 at a time,
 * after a cursor held in memory); the claim reads the payload from the event;
 * <li>{@code capped}: each claim charges its deliveries' endpoint rows (in flight, rate window) and each outcome
 * gives the slot back: the writes exact caps across replicas need, without reading the caps;
 * <li>{@code listed}: the listings Herald serves: waiting deliveries indexed by application and by event, and the
 * history by application and by event beside by endpoint (four B-trees more: three on each table, as Herald's log
 * has, and its hot table beside its queue index).
 * </ol>
 * And {@code endpoint-claims}: {@code capped} with the claim state in the endpoint row instead of a lease on the
 * delivery (the claimed ids kept there; a delivery row is inserted once and deleted once). Each worker owns a
 * quarter of the endpoints and reads their deliveries after a cursor in its memory, which no design of several
 * replicas can do: it costs less than any such design would.
 * Nothing else: no retries, no health, no ordering, no shares. Each rung is an upper bound on the
 * rate of any design that keeps its guarantees, on this PostgreSQL.
 *
 * <p>Arguments: jdbcUrl rung deliveries warmup endpoints workers batch. Prints
 * {@code LEAST_DELIVERY rung=R ... wal_bytes_per_delivery=N per_s=N}.
 */
public final class BenchLeastDelivery {

    private static final String TAKE_AND_LOG = """
            WITH taken AS (
                DELETE FROM bench_least_job j
                 WHERE j.id = ANY(ARRAY(SELECT id FROM bench_least_job ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED))
             RETURNING j.id, j.endpoint, j.payload),
            logged AS (
                INSERT INTO bench_least_log (delivery_id, endpoint, status, attempted_at, status_code, duration_ms)
                SELECT t.id, t.endpoint, 2, clock_timestamp(), 200, 1 FROM taken t)
            SELECT t.id, t.endpoint FROM taken t""";

    private static final String CLAIM = """
            UPDATE bench_least_job j SET lease_until = clock_timestamp() + interval '30 seconds',
                                         attempt_count = j.attempt_count + 1
             WHERE j.id = ANY(ARRAY(SELECT id FROM bench_least_job WHERE lease_until IS NULL ORDER BY id LIMIT ?
                                       FOR UPDATE SKIP LOCKED))
         RETURNING j.id, j.endpoint, j.payload""";

    private static final String CLAIM_WITH_EVENT = """
            WITH claimed AS (
                UPDATE bench_least_job j SET lease_until = clock_timestamp() + interval '30 seconds',
                                             attempt_count = j.attempt_count + 1
                 WHERE j.id = ANY(ARRAY(SELECT id FROM bench_least_job WHERE lease_until IS NULL ORDER BY id LIMIT ?
                                           FOR UPDATE SKIP LOCKED))
             RETURNING j.id, j.endpoint, j.event_id)
            SELECT c.id, c.endpoint, e.payload FROM claimed c JOIN bench_least_event e ON e.id = c.event_id""";

    // endpoint rows locked in id order (two claims never wait on each other in a circle), then written by key
    private static final String CLAIM_CHARGED = """
            WITH claimed AS (
                UPDATE bench_least_job j SET lease_until = clock_timestamp() + interval '30 seconds',
                                             attempt_count = j.attempt_count + 1
                 WHERE j.id = ANY(ARRAY(SELECT id FROM bench_least_job WHERE lease_until IS NULL ORDER BY id LIMIT ?
                                           FOR UPDATE SKIP LOCKED))
             RETURNING j.id, j.endpoint, j.event_id),
            counted AS (SELECT c.endpoint, count(*)::int AS n FROM claimed c GROUP BY c.endpoint),
            locked AS (SELECT p.id, k.* FROM bench_least_endpoint p JOIN counted k ON k.endpoint = p.id
                        ORDER BY p.id FOR UPDATE OF p),
            charged AS (
                UPDATE bench_least_endpoint p
                   SET in_flight = p.in_flight + k.n,
                       window_starts = p.window_starts[greatest(1, cardinality(p.window_starts) - 98):]
                                       || array_fill(clock_timestamp(), ARRAY[k.n])
                  FROM locked k WHERE p.id = k.id)
            SELECT c.id, c.endpoint, e.payload FROM claimed c JOIN bench_least_event e ON e.id = c.event_id""";

    private static final String COMPLETE = """
            WITH done AS (DELETE FROM bench_least_job j WHERE j.id = ANY(?) RETURNING j.id, j.endpoint)
            INSERT INTO bench_least_log (delivery_id, endpoint, status, attempted_at, status_code, duration_ms)
            SELECT d.id, d.endpoint, 2, clock_timestamp(), 200, 1 FROM done d""";

    /** After an outcome's `done` (the deliveries deleted): their slots given back at their endpoints' rows. */
    private static final String RELEASED = """
            ,
            counted AS (SELECT d.endpoint, count(*)::int AS n FROM done d GROUP BY d.endpoint),
            locked AS (SELECT p.id, k.* FROM bench_least_endpoint p JOIN counted k ON k.endpoint = p.id
                        ORDER BY p.id FOR UPDATE OF p)
            UPDATE bench_least_endpoint p SET in_flight = p.in_flight - k.n
              FROM locked k WHERE p.id = k.id""";

    private static final String COMPLETE_RELEASED = """
            WITH done AS (DELETE FROM bench_least_job j WHERE j.id = ANY(?) RETURNING j.id, j.endpoint),
            logged AS (
                INSERT INTO bench_least_log (delivery_id, endpoint, status, attempted_at, status_code, duration_ms)
                SELECT d.id, d.endpoint, 2, clock_timestamp(), 200, 1 FROM done d)""" + RELEASED;

    private static final String COMPLETE_LISTED = """
            WITH done AS (DELETE FROM bench_least_job j WHERE j.id = ANY(?)
                          RETURNING j.id, j.endpoint, j.event_id, j.application_id, j.created_at),
            logged AS (
                INSERT INTO bench_least_log (delivery_id, endpoint, status, attempted_at, status_code, duration_ms,
                                             event_id, application_id, created_at)
                SELECT d.id, d.endpoint, 2, clock_timestamp(), 200, 1, d.event_id, d.application_id, d.created_at
                  FROM done d)""" + RELEASED;

    private static final String CLAIM_IN_ENDPOINT = """
            WITH picked AS (
                SELECT j.id, j.endpoint, j.event_id FROM bench_least_job j
                 WHERE j.id > ? AND j.endpoint % WORKERS = ? ORDER BY j.id LIMIT ?),
            counted AS (SELECT p.endpoint, count(*)::int AS n, array_agg(p.id) AS ids FROM picked p
                         GROUP BY p.endpoint),
            locked AS (SELECT e.id, k.* FROM bench_least_endpoint e JOIN counted k ON k.endpoint = e.id
                        ORDER BY e.id FOR UPDATE OF e),
            charged AS (
                UPDATE bench_least_endpoint e
                   SET in_flight = e.in_flight + k.n, claimed = e.claimed || k.ids,
                       window_starts = e.window_starts[greatest(1, cardinality(e.window_starts) - 98):]
                                       || array_fill(clock_timestamp(), ARRAY[k.n])
                  FROM locked k WHERE e.id = k.id)
            SELECT p.id, p.endpoint, ev.payload FROM picked p JOIN bench_least_event ev ON ev.id = p.event_id""";

    private static final String COMPLETE_IN_ENDPOINT = """
            WITH done AS (DELETE FROM bench_least_job j WHERE j.id = ANY(?) RETURNING j.id, j.endpoint),
            logged AS (
                INSERT INTO bench_least_log (delivery_id, endpoint, status, attempted_at, status_code, duration_ms)
                SELECT d.id, d.endpoint, 2, clock_timestamp(), 200, 1 FROM done d),
            counted AS (SELECT d.endpoint, count(*)::int AS n, array_agg(d.id) AS ids FROM done d
                         GROUP BY d.endpoint),
            locked AS (SELECT e.id, k.* FROM bench_least_endpoint e JOIN counted k ON k.endpoint = e.id
                        ORDER BY e.id FOR UPDATE OF e)
            UPDATE bench_least_endpoint e
               SET in_flight = e.in_flight - k.n,
                   claimed = ARRAY(SELECT c FROM unnest(e.claimed) c WHERE c <> ALL(k.ids))
              FROM locked k WHERE e.id = k.id""";

    private BenchLeastDelivery() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Rung rung = Rung.valueOf(args[1].toUpperCase().replace('-', '_'));
        int deliveries = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int endpoints = Integer.parseInt(args[4]);
        int workers = Integer.parseInt(args[5]);
        int batch = Integer.parseInt(args[6]);
        createTables(url, endpoints, rung, workers);
        try {
            if (warmup > 0) {
                new Run(url, rung, endpoints, batch).drain(warmup, workers);
            }
            String before = walPosition(url);
            double seconds = new Run(url, rung, endpoints, batch).drain(deliveries, workers);
            long wal = walSince(url, before);
            System.out.printf("LEAST_DELIVERY rung=%s deliveries=%d workers=%d batch=%d seconds=%.2f"
                    + " wal_bytes_per_delivery=%d per_s=%.0f%n", args[1], deliveries, workers, batch, seconds,
                    wal / deliveries, deliveries / seconds);
        } finally {
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                    Statement s = c.createStatement()) {
                s.execute("DROP TABLE bench_least_job, bench_least_log, bench_least_event, bench_least_endpoint");
            }
        }
    }

    private static String walPosition(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** WAL written since {@code before}, everything's (autovacuum, checkpoints), as the bench's rows count it. */
    private static long walSince(String url, String before) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                PreparedStatement s = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)")) {
            s.setString(1, before);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** What a worker does with the ids a claim took, before it completes them. */
    @FunctionalInterface
    interface AfterClaim {
        void claimed(List<Long> ids) throws java.sql.SQLException;
    }

    enum Rung {
        LEAST, CLAIMED, EVENTS, CAPPED, LISTED, ENDPOINT_CLAIMS
    }

    private static void createTables(String url, int endpoints, Rung rung, int workers) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_least_job, bench_least_log, bench_least_event, bench_least_endpoint");
            s.execute("CREATE TABLE bench_least_event (id bigserial PRIMARY KEY, endpoint int NOT NULL,"
                    + " payload text NOT NULL)");
            s.execute("CREATE TABLE bench_least_job (id bigserial PRIMARY KEY, endpoint int NOT NULL, event_id bigint,"
                    + " payload text, attempt_count int NOT NULL DEFAULT 0, lease_until timestamptz)");
            s.execute("CREATE TABLE bench_least_log (delivery_id bigint NOT NULL, endpoint int NOT NULL,"
                    + " status smallint NOT NULL, attempted_at timestamptz NOT NULL, status_code smallint NOT NULL,"
                    + " duration_ms int NOT NULL)");
            s.execute("CREATE INDEX ON bench_least_log (endpoint, delivery_id)");
            s.execute("CREATE TABLE bench_least_endpoint (id int PRIMARY KEY, in_flight int NOT NULL DEFAULT 0,"
                    + " window_starts timestamptz[] NOT NULL DEFAULT '{}')");
            s.execute("INSERT INTO bench_least_endpoint (id) SELECT g FROM generate_series(0, " + (endpoints - 1)
                    + ") g");
            s.execute("VACUUM ANALYZE bench_least_endpoint");
            if (rung == Rung.ENDPOINT_CLAIMS) {
                s.execute("ALTER TABLE bench_least_endpoint ADD claimed bigint[] NOT NULL DEFAULT '{}'");
                // each worker's deliveries in id order, as a queue index finds an endpoint's
                s.execute("CREATE INDEX ON bench_least_job ((endpoint % " + workers + "), id)");
            }
            if (rung == Rung.LISTED) {
                s.execute("ALTER TABLE bench_least_job ADD application_id int NOT NULL DEFAULT 1,"
                        + " ADD created_at timestamptz NOT NULL DEFAULT clock_timestamp()");
                s.execute("CREATE INDEX ON bench_least_job (application_id, created_at, id)");
                s.execute("CREATE INDEX ON bench_least_job (event_id, created_at, id)");
                s.execute("ALTER TABLE bench_least_log ADD event_id bigint, ADD application_id int,"
                        + " ADD created_at timestamptz");
                s.execute("CREATE INDEX ON bench_least_log (application_id, created_at, delivery_id)");
                s.execute("CREATE INDEX ON bench_least_log (event_id, created_at, delivery_id)");
            }
        }
    }

    /** One pass: a producer, a fan-out thread (rungs with events) and the workers, until every delivery is logged. */
    private static final class Run {
        private final String url;
        private final Rung rung;
        private final int endpoints;
        private final int batch;
        private final AtomicBoolean produced = new AtomicBoolean();
        private final AtomicBoolean fannedOut = new AtomicBoolean();
        private final AtomicLong logged = new AtomicLong();

        Run(String url, Rung rung, int endpoints, int batch) {
            this.url = url;
            this.rung = rung;
            this.endpoints = endpoints;
            this.batch = batch;
        }

        /** Answers the seconds from the first INSERT to the last delivery logged. */
        double drain(int deliveries, int workers) throws Exception {
            boolean events = rung.compareTo(Rung.EVENTS) >= 0;
            long cursor = lastEvent(); // the warm-up's events are behind it
            long started = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            threads.add(new Thread(() -> produce(deliveries, events)));
            if (events) {
                threads.add(new Thread(() -> fanOut(deliveries, cursor)));
            } else {
                fannedOut.set(true);
            }
            for (int w = 0; w < workers; w++) {
                int worker = w;
                threads.add(new Thread(() -> work(worker, workers)));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            if (logged.get() != deliveries) {
                throw new IllegalStateException("logged " + logged.get() + " of " + deliveries);
            }
            return (System.nanoTime() - started) / 1e9;
        }

        private long lastEvent() throws Exception {
            try (Connection c = connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM bench_least_event")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        private Connection connect() throws Exception {
            return DriverManager.getConnection(url, "postgres", "postgres");
        }

        private void produce(int deliveries, boolean events) {
            String table = events ? "bench_least_event" : "bench_least_job";
            try (Connection c = connect(); PreparedStatement insert = c.prepareStatement("INSERT INTO " + table
                    + " (endpoint, payload) SELECT * FROM unnest(?::int[], ?::text[])")) {
                for (int from = 0; from < deliveries; from += 500) {
                    int n = Math.min(500, deliveries - from);
                    Integer[] endpoint = new Integer[n];
                    String[] payload = new String[n];
                    long now = System.currentTimeMillis();
                    for (int i = 0; i < n; i++) {
                        endpoint[i] = (from + i) % endpoints;
                        payload[i] = BenchEvent.json(from + i, endpoint[i], now);
                    }
                    insert.setArray(1, c.createArrayOf("integer", endpoint));
                    insert.setArray(2, c.createArrayOf("text", payload));
                    insert.executeUpdate();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                produced.set(true);
            }
        }

        /** One webhook an event: each event becomes one delivery, in id order after a cursor. */
        private void fanOut(int deliveries, long start) {
            try (Connection c = connect(); PreparedStatement fan = c.prepareStatement("""
                    WITH made AS (
                        INSERT INTO bench_least_job (endpoint, event_id)
                        SELECT e.endpoint, e.id FROM bench_least_event e WHERE e.id > ? ORDER BY e.id LIMIT 500
                        RETURNING event_id)
                    SELECT count(*), max(event_id) FROM made""")) {
                long cursor = start;
                long made = 0;
                while (made < deliveries) {
                    fan.setLong(1, cursor);
                    try (ResultSet rs = fan.executeQuery()) {
                        rs.next();
                        long n = rs.getLong(1);
                        if (n == 0) {
                            Thread.sleep(1);
                            continue;
                        }
                        made += n;
                        cursor = rs.getLong(2);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                fannedOut.set(true);
            }
        }

        private void work(int worker, int workers) {
            try (Connection c = connect()) {
                if (rung == Rung.LEAST) {
                    takeAndLog(c);
                } else if (rung == Rung.ENDPOINT_CLAIMS) {
                    claimIntoEndpointRows(c, worker, workers);
                } else {
                    claimThenComplete(c);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private void takeAndLog(Connection c) throws Exception {
            try (PreparedStatement take = c.prepareStatement(TAKE_AND_LOG)) {
                take.setInt(1, batch);
                while (true) {
                    boolean last = produced.get();
                    int n = count(take);
                    logged.addAndGet(n);
                    if (n == 0 && last) {
                        return; // everything was inserted before this empty take began
                    }
                    if (n == 0) {
                        Thread.sleep(1); // ahead of the producer: no spinning on the shared cores
                    }
                }
            }
        }

        private void claimThenComplete(Connection c) throws Exception {
            String claimSql = switch (rung) {
                case CLAIMED -> CLAIM;
                case EVENTS -> CLAIM_WITH_EVENT;
                default -> CLAIM_CHARGED;
            };
            try (PreparedStatement claim = c.prepareStatement(claimSql);
                    PreparedStatement complete = c.prepareStatement(switch (rung) {
                        case CAPPED -> COMPLETE_RELEASED;
                        case LISTED -> COMPLETE_LISTED;
                        default -> COMPLETE;
                    })) {
                claim.setInt(1, batch);
                claimAndComplete(c, claim, complete, ids -> { });
            }
        }

        /** Claims of the endpoints {@code id % workers = worker}, after a cursor: nothing written to a delivery. */
        private void claimIntoEndpointRows(Connection c, int worker, int workers) throws Exception {
            // the worker count written in, so that the statement matches the index's expression
            try (PreparedStatement claim = c.prepareStatement(CLAIM_IN_ENDPOINT.replace("WORKERS", "" + workers));
                    PreparedStatement complete = c.prepareStatement(COMPLETE_IN_ENDPOINT)) {
                claim.setLong(1, 0);
                claim.setInt(2, worker);
                claim.setInt(3, batch);
                claimAndComplete(c, claim, complete,
                        ids -> claim.setLong(1, ids.stream().mapToLong(Long::longValue).max().getAsLong()));
            }
        }

        /** Claims, then completes what was claimed, until everything was made and nothing is left to claim. */
        private void claimAndComplete(Connection c, PreparedStatement claim, PreparedStatement complete,
                AfterClaim afterClaim) throws Exception {
            while (true) {
                boolean last = produced.get() && fannedOut.get();
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                        rs.getString(3); // the payload a request would carry
                    }
                }
                if (ids.isEmpty()) {
                    if (last) {
                        return;
                    }
                    Thread.sleep(1); // ahead of the producer: no spinning on the shared cores
                    continue;
                }
                afterClaim.claimed(ids);
                complete.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                complete.executeUpdate();
                logged.addAndGet(ids.size());
            }
        }

        private static int count(PreparedStatement take) throws Exception {
            int n = 0;
            try (ResultSet rs = take.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }
}
