package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * Owners change and delete many webhooks at once while their deliveries complete: no deadlock, no transaction
 * left open, no slot stranded, and the replica goes on delivering.
 */
class ConcurrentWebhookChangesIT extends FaultTier {

    @Test
    void twentyUpdatesAndTwentyDeletesAtOnceDuringDeliveriesLeaveNothingBehind() throws Exception {
        try (Receiver receiver = new Receiver(); Herald herald = Herald.named("concurrent-changes")
                        .with("HERALD_DELIVERY_MAX_PER_MINUTE_PER_ENDPOINT", "100000")
                        .with("HERALD_DELIVERY_TIMEOUT", "3s")
                        .with("HERALD_DISPATCH_LEASE", "6s")
                        .start(database)) {
            receiver.answer("/busy", 200, Duration.ofMillis(50));
            Herald.Tenant tenant = herald.newTenant("changes");
            List<Long> webhooks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                webhooks.add(herald.newWebhook(tenant, receiver.url("/busy")));
            }
            herald.postEvents(tenant.key(), Events.notifications(100, tenant.provider()));
            receiver.awaitTotal(100, Duration.ofSeconds(20));

            // switched off, on again, and then deleted: twenty at a time each
            allAtOnce(herald, tenant, webhooks, "mutation { changed: updateWebhook(updateWebhookInput: {id: \"%d\", status: 0}) { id } }");
            allAtOnce(herald, tenant, webhooks, "mutation { changed: updateWebhook(updateWebhookInput: {id: \"%d\", status: 1}) { id } }");
            // every delivery ends and no slot is stranded
            database.awaitCount("delivery d JOIN webhook w ON w.id = d.webhook_id WHERE d.status IN (0, 1) AND"
                    + " w.provider_id = " + tenant.provider(), 0, Duration.ofSeconds(60));
            assertEquals(0, database.queryLong("SELECT count(*) FROM endpoint_state e JOIN webhook w ON"
                    + " w.id = e.webhook_id WHERE e.in_flight <> 0 AND w.provider_id = " + tenant.provider()));
            receiver.answer("/busy", Receiver.Behaviour.silent()); // deletes now meet requests in flight
            herald.postEvents(tenant.key(), Events.notifications(20, tenant.provider()));
            // twenty webhooks name one receiving endpoint: its ten slots fill
            receiver.await("/busy", r -> receiver.inFlight("/busy") >= 10, Duration.ofSeconds(20));
            allAtOnce(herald, tenant, webhooks, "mutation { changed: deleteWebhook(id: \"%d\") }");
            // the deleted webhooks' attempts gave their receiver's slots back: other webhooks naming it are served
            database.awaitCount("receiver WHERE url_key LIKE '%/busy' AND in_flight = 0", 1, Duration.ofSeconds(5));

            // a claim is idle in transaction for a moment between its statements; one the deletes left open stays
            // so (until PostgreSQL's 30 s idle-in-transaction timeout)
            String deletesEnded = database.queryStrings("SELECT clock_timestamp()::text").get(0);
            database.awaitCount("pg_stat_activity WHERE application_name = 'herald' AND state LIKE 'idle in transaction%'"
                    + " AND state_change < '" + deletesEnded + "'", 0, Duration.ofSeconds(5));
            assertEquals(0, database.queryLong("SELECT count(*) FROM webhook w JOIN provider p ON p.id = w.provider_id"
                    + " WHERE p.id = " + tenant.provider()));

            String late = receiver.url("/after");
            herald.newWebhook(tenant, late);
            herald.postEvents(tenant.key(), Events.notification(1, tenant.provider()));
            receiver.await("/after", r -> r.size() == 1, Duration.ofSeconds(10));
            assertFalse(herald.log().contains("HR0000"), herald.log());
        }
    }

    private static void allAtOnce(Herald herald, Herald.Tenant tenant, List<Long> webhooks, String mutation)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(webhooks.size());
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (long id : webhooks) {
                answers.add(pool.submit(() -> herald.graphql(tenant.key(), mutation.formatted(id))));
            }
            for (Future<JsonNode> answer : answers) {
                JsonNode json = answer.get();
                assertFalse(json.has("errors"), json.toString());
            }
        } finally {
            pool.shutdown();
        }
    }
}
