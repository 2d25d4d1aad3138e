package dev.herald.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * Inserts events into Herald's outbox the way a producer sharing the database does: batches of multi-row
 * INSERTs, each event stamped with {@code sentAt} (epoch ms) for the sink's latency. Either as fast as it can
 * or at a target rate (events/s), for a number of events spread over providers {@code firstProvider ..
 * firstProvider + providers - 1}.
 *
 * <p>Arguments: jdbcUrl events firstProvider providers ratePerSecond(0 = flat out) [batch].
 */
public final class BenchProducer {

    private BenchProducer() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int events = Integer.parseInt(args[1]);
        int firstProvider = Integer.parseInt(args[2]);
        int providers = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : (rate > 0 ? Math.max(1, (int) Math.min(500, rate / 50)) : 500);
        try (Connection connection = DriverManager.getConnection(url, "postgres", "postgres")) {
            warmUp(connection, Math.min(batch, events), firstProvider, providers);
            long started = System.nanoTime();
            int sent = 0;
            while (sent < events) {
                int n = Math.min(batch, events - sent);
                insert(connection, sent, n, firstProvider, providers);
                sent += n;
                if (rate > 0) {
                    long due = started + (long) (sent / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            System.out.printf("PRODUCED %d in %.2f s%n", events, (System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Runs one batch and rolls it back (Herald never sees it: no commit, no notification), so that the JIT and
     * the driver are warm before the first stamped event; a cold first batch took this process 100 ms and more,
     * which the sink would have counted as Herald's latency.
     */
    private static void warmUp(Connection connection, int n, int firstProvider, int providers) throws Exception {
        connection.setAutoCommit(false);
        for (int i = 0; i < 3; i++) {
            insert(connection, 0, n, firstProvider, providers);
            connection.rollback();
        }
        connection.setAutoCommit(true);
    }

    private static void insert(Connection connection, int from, int n, int firstProvider, int providers) throws Exception {
        StringBuilder sql = new StringBuilder("INSERT INTO event (provider_id, payload) VALUES ");
        for (int i = 0; i < n; i++) {
            sql.append(i == 0 ? "(?, ?::json)" : ", (?, ?::json)");
        }
        try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                int id = from + i;
                int provider = firstProvider + id % providers;
                insert.setInt(2 * i + 1, provider);
                insert.setString(2 * i + 2, BenchEvent.json(id, provider, now));
            }
            insert.executeUpdate();
        }
    }
}
