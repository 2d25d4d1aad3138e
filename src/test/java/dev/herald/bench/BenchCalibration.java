package dev.herald.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical reference: how fast this PostgreSQL claims and completes rows when nothing else happens, with
 * the shape a queue must use (claim 50 with SKIP LOCKED in one statement, complete them in one statement),
 * by a few concurrent workers. Arguments: jdbcUrl rows workers. Prints {@code CALIB rows_per_s=N}.
 */
public final class BenchCalibration {

    private BenchCalibration() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int rows = Integer.parseInt(args[1]);
        int workers = Integer.parseInt(args[2]);
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_calibration");
            s.execute("CREATE TABLE bench_calibration (id bigint PRIMARY KEY, status smallint NOT NULL DEFAULT 0,"
                    + " payload text NOT NULL)");
            s.execute("CREATE INDEX ON bench_calibration (id) WHERE status = 0");
            s.execute("INSERT INTO bench_calibration (id, payload) SELECT g, repeat('x', 200) FROM generate_series(1, "
                    + rows + ") g");
            s.execute("VACUUM ANALYZE bench_calibration");
        }
        AtomicLong done = new AtomicLong();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(() -> work(url, done));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("CALIB rows=%d workers=%d seconds=%.2f rows_per_s=%.0f%n", done.get(), workers, seconds,
                done.get() / seconds);
    }

    private static void work(String url, AtomicLong done) {
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                PreparedStatement claim = c.prepareStatement("""
                        WITH picked AS (SELECT id FROM bench_calibration WHERE status = 0 ORDER BY id LIMIT 50
                                        FOR UPDATE SKIP LOCKED)
                        UPDATE bench_calibration b SET status = 1 FROM picked WHERE b.id = picked.id
                        RETURNING b.id, b.payload""");
                PreparedStatement complete = c.prepareStatement(
                        "UPDATE bench_calibration SET status = 2 WHERE id = ANY(?)")) {
            while (true) {
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = claim.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                if (ids.isEmpty()) {
                    return;
                }
                Array array = c.createArrayOf("bigint", ids.toArray());
                complete.setArray(1, array);
                complete.executeUpdate();
                done.addAndGet(ids.size());
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
