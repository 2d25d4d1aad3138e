package dev.herald.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Registers the benchmark's tenant straight in the database (10,000 GraphQL calls would take longer than the
 * run): one application (API key {@code bench-key}), and per endpoint a provider with one webhook
 * {@code http://127.0.0.1:<sink>/e<i>}. Secrets go in as plain text; Herald encrypts them at its next start.
 * Arguments: jdbcUrl sinkPort endpoints. Prints {@code SEEDED <first provider id>}.
 */
public final class BenchSeed {

    private BenchSeed() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int sinkPort = Integer.parseInt(args[1]);
        int endpoints = Integer.parseInt(args[2]);
        String keyHash = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("bench-key".getBytes(StandardCharsets.UTF_8)));
        try (Connection c = DriverManager.getConnection(url, "postgres", "postgres"); Statement s = c.createStatement()) {
            s.execute("INSERT INTO application (id, name) VALUES (1000, 'bench') ON CONFLICT DO NOTHING");
            s.execute("INSERT INTO api_key (application_id, key_hash) VALUES (1000, '" + keyHash + "') ON CONFLICT DO NOTHING");
            s.execute("INSERT INTO provider (id, application_id, name, channel_type) SELECT 100000 + g, 1000, 'p' || g, 1"
                    + " FROM generate_series(0, " + (endpoints - 1) + ") g ON CONFLICT DO NOTHING");
            s.execute("INSERT INTO webhook (provider_id, webhook_url, secret) SELECT 100000 + g,"
                    + " 'http://127.0.0.1:" + sinkPort + "/e' || g, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'"
                    + " FROM generate_series(0, " + (endpoints - 1) + ") g");
            // S1: one endpoint whose arrivals the sink tracks
            webhooks(s, 200000, 1, sinkPort, "'/track/s1'");
            // S4: one provider fanned out to 1,000 endpoints
            webhooks(s, 200001, 1000, sinkPort, "'/fan/' || g");
            // S5: 1,000 healthy endpoints, and 1,000 of which every tenth answers after 2 s
            providers(s, 300000, 1000, sinkPort, "'/h/' || g");
            providers(s, 310000, 1000, sinkPort, "CASE WHEN g % 10 = 0 THEN '/slow/' ELSE '/h2/' END || g");
            // S6: 1,000 endpoints of which every fifth fails with 500
            providers(s, 400000, 1000, sinkPort, "CASE WHEN g % 5 = 0 THEN '/fail/' ELSE '/h3/' END || g");
            // registration makes each webhook's endpoint row, with its application (claims share slots by it)
            s.execute("INSERT INTO endpoint_state (webhook_id, application_id) SELECT w.id, p.application_id"
                    + " FROM webhook w JOIN provider p ON p.id = w.provider_id ON CONFLICT (webhook_id) DO NOTHING");
            s.execute("ANALYZE");
        }
        System.out.println("SEEDED 100000");
    }

    /** {@code count} providers from {@code first}, each with one webhook at the path expression (of g). */
    private static void providers(Statement s, int first, int count, int sinkPort, String path) throws Exception {
        s.execute("INSERT INTO provider (id, application_id, name, channel_type) SELECT " + first + " + g, 1000,"
                + " 'p' || (" + first + " + g), 1 FROM generate_series(0, " + (count - 1) + ") g ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO webhook (provider_id, webhook_url, secret) SELECT " + first + " + g, 'http://127.0.0.1:"
                + sinkPort + "' || " + path + ", 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' FROM generate_series(0, "
                + (count - 1) + ") g");
    }

    /** One provider with {@code count} webhooks at the path expression (of g). */
    private static void webhooks(Statement s, int provider, int count, int sinkPort, String path) throws Exception {
        s.execute("INSERT INTO provider (id, application_id, name, channel_type) VALUES (" + provider + ", 1000, 'p"
                + provider + "', 1) ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO webhook (provider_id, webhook_url, secret) SELECT " + provider + ", 'http://127.0.0.1:"
                + sinkPort + "' || " + path + ", 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' FROM generate_series(0, "
                + (count - 1) + ") g");
    }
}
