package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.NotifyOnly;
import dev.herald.testing.Receiver;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A producer sharing the database INSERTs into the outbox inside its own transaction (the README's statement);
 * the commit's notification wakes the dispatcher, with polling all but off.
 */
@QuarkusTest
@TestProfile(NotifyOnly.class)
class TransactionalOutboxTest {

    @Inject
    Database database;

    @Test
    void anInsertCommittedByTheProducerIsDeliveredWithoutPolling() throws Exception {
        String key = GraphQL.newApplication("producer");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            GraphQL.newWebhook(key, provider, receiver.url("/outbox"));
            String payload = Events.notification(51, provider);
            database.query("BEGIN; INSERT INTO event (provider_id, payload) VALUES (" + provider + ", '" + payload
                    + "'); COMMIT;");
            var got = receiver.await("/outbox", r -> r.size() == 1, Duration.ofSeconds(10));
            assertEquals(payload, got.get(0).bodyText());

            // a rolled-back insert delivers nothing
            database.query("BEGIN; INSERT INTO event (provider_id, payload) VALUES (" + provider + ", '"
                    + Events.notification(52, provider) + "'); ROLLBACK;");
            Thread.sleep(1_000);
            assertEquals(1, receiver.at("/outbox").size());
        }
    }
}
