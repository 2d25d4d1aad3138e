package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Pause;
import dev.herald.testing.Receiver;

/**
 * The packaged jar upgrades a database of the previous schema (V5) that is in use: every row is kept (delivered and
 * FAILED deliveries become history with their attempts; waiting ones stay waiting and are delivered; an event not
 * yet fanned out is fanned out), a FAILED delivery of before the upgrade can be replayed, a producer INSERTing
 * into the outbox all the while loses nothing, and no event or delivery id is given out a second time.
 */
class SchemaUpgradeIT extends FaultTier {

    private static final String DATABASE = "upgrade_from_v5";
    private static final List<String> PREVIOUS_SCRIPTS = List.of("V1__tenancy_and_webhooks.sql",
            "V2__outbox_and_deliveries.sql", "V3__signing_and_endpoint_pause.sql",
            "V4__hot_path_without_foreign_keys.sql", "V5__fault_tolerant_dispatch.sql");
    private static final String KEY = "legacy-application-key";

    @Test
    void aDatabaseInUseIsUpgradedWithEveryRowKept() throws Exception {
        database.createDatabase(DATABASE);
        try (Receiver receiver = new Receiver()) {
            try (Connection connection = database.connect(DATABASE)) {
                migrateToThePreviousSchema(connection);
                fillLikeABusyDay(connection, receiver.url("/legacy"));
            }
            Set<Integer> produced = ConcurrentHashMap.newKeySet();
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread producer = new Thread(() -> produce(produced, producing), "producer");
            producer.start();
            try (Herald herald = Herald.named("schema-upgrade").database(DATABASE).start(database)) {
                // the producer goes on after the upgrade as well
                int whenReady = produced.size();
                await("five more of the producer's INSERTs, into the upgraded outbox").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100)).until(() -> produced.size() >= whenReady + 5);
                producing.set(false);
                producer.join(10_000);

                // only the deliveries made before the upgrade: the producer's own may fill more than one page
                JsonNode history = herald.data(KEY, """
                        { deliveries(webhookId: "1", until: "%s") { totalCount items { id status attemptCount attempts { statusCode error } } } }"""
                        .formatted(Instant.now().minus(Duration.ofMinutes(30))));
                assertEquals("DELIVERED", status(history, 1));
                assertEquals("FAILED", status(history, 2));
                assertEquals(4, find(history, 2).at("/attempts").size(), "the FAILED delivery's four attempts were kept");

                // the waiting one, the one in flight whose lease ran out, and the event not fanned out yet
                receiver.await("/legacy", r -> r.stream().map(x -> x.headers().get("webhook-id")).toList()
                        .containsAll(List.of("msg_3", "msg_4")) && r.stream().anyMatch(x -> Flow.notificationId(x) == 5),
                        Duration.ofSeconds(90));
                // a FAILED delivery of before the upgrade is replayed, with its webhook-id
                herald.data(KEY, "mutation { replayDelivery(deliveryId: \"2\") { id } }");
                receiver.await("/legacy", r -> r.stream().anyMatch(x -> "msg_2".equals(x.headers().get("webhook-id"))),
                        Duration.ofSeconds(15));

                receiver.await("/legacy", r -> r.stream().map(Flow::notificationId).toList().containsAll(produced),
                        Duration.ofSeconds(30));
                assertEquals(5 + produced.size(), database.queryLong(DATABASE, "SELECT count(*) FROM event"),
                        "every event kept");
                // no id given out before is given out again (receivers deduplicate on webhook-id)
                assertTrue(database.queryLong(DATABASE, "SELECT min(id) FROM event WHERE id > 5") > 12, "an event id again");
                assertTrue(database.queryLong(DATABASE, "SELECT min(id) FROM all_deliveries WHERE id > 4") > 10,
                        "a delivery id again");
            }
        }
    }

    private void produce(Set<Integer> produced, AtomicBoolean producing) {
        int id = 1_000;
        try (Connection connection = database.connect(DATABASE)) {
            while (producing.get()) {
                id++;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("INSERT INTO event (provider_id, payload) VALUES (1, '"
                            + Events.notification(id, 1) + "')");
                    produced.add(id);
                } catch (SQLException whileMigrating) {
                    // not accepted: a producer would retry
                }
                Pause.because(Duration.ofMillis(100), "a producer's pace: ten INSERTs a second");
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String status(JsonNode page, long id) {
        return find(page, id).at("/status").asText();
    }

    private static JsonNode find(JsonNode page, long id) {
        for (JsonNode item : page.at("/deliveries/items")) {
            if (item.at("/id").asLong() == id) {
                return item;
            }
        }
        throw new AssertionError("no delivery " + id + " in " + page);
    }

    /** V1 to V5 as the previous Herald applied them, recorded with their checksums. */
    private static void migrateToThePreviousSchema(Connection connection) throws Exception {
        try (Statement statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE herald_schema_history (
                        version integer PRIMARY KEY, description text NOT NULL, checksum text NOT NULL,
                        applied_on timestamptz NOT NULL DEFAULT now())""");
        }
        for (String script : PREVIOUS_SCRIPTS) {
            String sql = resource("db/migration/" + script);
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
            try (PreparedStatement recorded = connection.prepareStatement(
                    "INSERT INTO herald_schema_history (version, description, checksum) VALUES (?, ?, ?)")) {
                String[] parts = script.substring(1, script.length() - ".sql".length()).split("__", 2);
                recorded.setInt(1, Integer.parseInt(parts[0]));
                recorded.setString(2, parts[1].replace('_', ' '));
                recorded.setString(3, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(sql.getBytes(StandardCharsets.UTF_8))));
                recorded.executeUpdate();
            }
        }
    }

    /**
     * One application with one webhook and four events: delivered (1), FAILED after four attempts (2), waiting for
     * a retry (3), in flight on a replica that died (4, lease expired), and a fifth event not fanned out yet.
     */
    private static void fillLikeABusyDay(Connection connection, String url) throws Exception {
        String keyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(KEY.getBytes(StandardCharsets.UTF_8)));
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]);
        try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO application (id, name) VALUES (1, 'legacy')");
            statement.execute("INSERT INTO api_key (application_id, key_hash) VALUES (1, '" + keyHash + "')");
            statement.execute("INSERT INTO provider (id, application_id, name, channel_type) VALUES (1, 1, 'smtp', 1)");
            // a secret stored before secrets were encrypted: Herald encrypts it at startup
            statement.execute("INSERT INTO webhook (id, provider_id, webhook_url, secret) VALUES (1, 1, '" + url + "', '"
                    + secret + "')");
            for (int id = 1; id <= 5; id++) {
                statement.execute("INSERT INTO event (id, provider_id, payload, accepted_at, fanned_out_at) VALUES ("
                        + id + ", 1, '" + Events.notification(id, 1) + "', now() - interval '1 hour', "
                        + (id <= 4 ? "now() - interval '1 hour'" : "NULL") + ")");
            }
            // the sequences went further than the rows left: the newest events and deliveries were deleted
            statement.execute("SELECT setval(pg_get_serial_sequence('event', 'id'), 12)");
            statement.execute("""
                    INSERT INTO delivery (id, event_id, webhook_id, status, attempt_count, attempt_limit, next_attempt_at,
                                          claim_token, lease_until, created_at, finished_at) VALUES
                        (1, 1, 1, 2, 1, 4, now(), NULL, NULL, now() - interval '1 hour', now() - interval '59 minutes'),
                        (2, 2, 1, 3, 4, 4, now(), NULL, NULL, now() - interval '1 hour', now() - interval '58 minutes'),
                        (3, 3, 1, 0, 1, 4, now() - interval '1 minute', NULL, NULL, now() - interval '1 hour', NULL),
                        (4, 4, 1, 1, 1, 4, now(), 99, now() - interval '1 minute', now() - interval '1 hour', NULL)""");
            statement.execute("SELECT setval(pg_get_serial_sequence('delivery', 'id'), 10)");
            statement.execute("""
                    INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, status_code, error)
                    VALUES (1, 1, now() - interval '59 minutes', 12, 200, NULL),
                           (2, 1, now() - interval '60 minutes', 12, 500, 'http_500'),
                           (2, 2, now() - interval '60 minutes', 12, 500, 'http_500'),
                           (2, 3, now() - interval '59 minutes', 12, 500, 'http_500'),
                           (2, 4, now() - interval '58 minutes', 12, 500, 'http_500'),
                           (3, 1, now() - interval '2 minutes', 12, 503, 'http_503')""");
            statement.execute("INSERT INTO endpoint_state (webhook_id, in_flight, next_check_at) VALUES (1, 1, now())");
        }
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = SchemaUpgradeIT.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new AssertionError(path + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
