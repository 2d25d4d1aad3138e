package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.NotifyOnly;
import dev.herald.testing.Receiver;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Producers sharing the database INSERT into the outbox inside their own transactions (docs/api.md, "Inside your
 * own transaction"); commits wake the dispatcher, with polling all but off. Transactions commit out of the order
 * their ids were drawn in: an outbox read by "everything after the last id seen" would skip the event whose
 * transaction committed last. Herald must deliver it, and must not wait for an id a rolled-back transaction drew.
 */
@Slow
@QuarkusTest
@TestProfile(NotifyOnly.class)
class TransactionalOutboxTest {

    @Inject
    Pool pool;

    @Test
    void anEventCommittedAfterALaterOneIsStillDeliveredAndARolledBackOneHoldsNothingUp() throws Exception {
        String key = GraphQL.newApplication("producer");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            GraphQL.newWebhook(key, provider, receiver.url("/outbox"));
            String slow = Events.notification(51, provider);
            String quick = Events.notification(52, provider);
            String rolledBack = Events.notification(53, provider);
            String after = Events.notification(54, provider);

            boolean ended = false;
            SqlConnection slowProducer = pool.getConnection().await().atMost(Duration.ofSeconds(10));
            SqlConnection abandoning = pool.getConnection().await().atMost(Duration.ofSeconds(10));
            try {
                // the slow producer draws the lower id and keeps its transaction open
                run(slowProducer, "BEGIN");
                insert(slowProducer, provider, slow);
                run(abandoning, "BEGIN");
                insert(abandoning, provider, rolledBack);
                pool.query(insertion(provider, quick)).execute().await().atMost(Duration.ofSeconds(10));
                receiver.await("/outbox", r -> r.size() == 1, Duration.ofSeconds(10));

                run(abandoning, "ROLLBACK");
                run(slowProducer, "COMMIT");
                ended = true;
                receiver.await("/outbox", r -> r.size() == 2, Duration.ofSeconds(10));
                pool.query(insertion(provider, after)).execute().await().atMost(Duration.ofSeconds(10));
                List<Receiver.Received> got = receiver.await("/outbox", r -> r.size() == 3, Duration.ofSeconds(10));

                assertEquals(List.of(quick, slow, after), got.stream().map(Receiver.Received::bodyText).toList(),
                        "each committed event once, in commit order; the rolled-back one never");
            } finally {
                // never hand a connection back to the pool inside a transaction
                for (SqlConnection producer : List.of(slowProducer, abandoning)) {
                    if (!ended) {
                        producer.query("ROLLBACK").execute().onFailure().recoverWithNull()
                                .await().atMost(Duration.ofSeconds(10));
                    }
                    producer.close().await().atMost(Duration.ofSeconds(10));
                }
            }
        }
    }

    private static void insert(SqlConnection connection, int provider, String payload) {
        run(connection, insertion(provider, payload));
    }

    private static String insertion(int provider, String payload) {
        return "INSERT INTO event (provider_id, payload) VALUES (" + provider + ", '" + payload + "')";
    }

    private static void run(SqlConnection connection, String sql) {
        connection.query(sql).execute().await().atMost(Duration.ofSeconds(10));
    }
}
