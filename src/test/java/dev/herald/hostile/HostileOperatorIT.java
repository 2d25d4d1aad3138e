package dev.herald.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.faults.Herald;

/**
 * The operator's surface as a hostile client finds it: a guessable admin key, unthrottled guessing, metrics on the
 * public port, the schema open to anyone, a stranger able to hold another tenant's endpoint row.
 */
class HostileOperatorIT extends HostileTier {

    @Test
    void aShortAdminKeyStopsTheReplicaNamingTheVariable() throws Exception {
        Herald.Exited refused = Herald.named("short-admin-key").with("HERALD_ADMIN_KEY", "guessable")
                .startExpectingExit(database, Duration.ofSeconds(60));
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.log().contains("HERALD_ADMIN_KEY (herald.admin-key) must be at least 32 characters"),
                refused.log());
    }

    @Test
    void guessingKeysIsThrottledPerAddressAndTheManagementSurfaceIsNotPublic() throws Exception {
        try (Herald herald = Herald.named("throttled")
                .with("HERALD_TENANCY_MAX_FAILED_AUTHENTICATIONS_PER_MINUTE", "5").start(database)) {
            assertEquals(404, statusOfPublic(herald, "/q/metrics"), "metrics are not on the public port");
            assertEquals(404, statusOfPublic(herald, "/q/health/ready"));
            assertEquals(200, herald.status("/q/health/ready"), "but on the management port");

            JsonNode introspection = herald.graphql(Herald.ADMIN_KEY, "{ __schema { types { name } } }");
            assertTrue(introspection.has("errors"), "no introspection in production: " + introspection);

            Herald.Tenant tenant = herald.newTenant("owner");
            String unused = herald.data(Herald.ADMIN_KEY, "mutation { createApplication(createApplicationInput:"
                    + " {name: \"quiet\"}) { apiKey } }").at("/createApplication/apiKey").asText();
            for (int i = 0; i < 5; i++) {
                JsonNode guess = herald.graphql("hk_guess-" + i, "{ providers { providerId } }");
                assertEquals("UNAUTHORIZED", guess.at("/errors/0/extensions/classification").asText(), guess.toString());
            }
            HttpResponse<String> graphql = herald.post("/graphql", "{\"query\": \"{ providers { providerId } }\"}"
                    .getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json", "x-api-key", unused));
            assertEquals(429, graphql.statusCode(), "no key is looked up from a guessing address: " + graphql.body());
            assertNotNull(graphql.headers().firstValue("Retry-After").orElse(null));
            HttpResponse<String> rest = herald.post("/v1/events", "{\"providerId\": 1}".getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json", "x-api-key", "hk_one-more-guess"));
            assertEquals(429, rest.statusCode(), rest.body());
            assertEquals("0", rest.headers().firstValue("RateLimit-Remaining").orElse(null));
            assertTrue(rest.body().contains("herald.tenancy.max-failed-authentications-per-minute"), rest.body());
            // a key that authenticated lately still passes: clients behind the guesser's proxy keep working
            assertEquals(1, herald.data(tenant.key(), "{ providers { providerId } }").at("/providers").size());
        }
    }

    /** While a claim holds an endpoint row, a stranger's change to that webhook is refused without waiting for it. */
    @Test
    void ownershipIsCheckedBeforeAnyRowIsLocked() throws Exception {
        try (Herald herald = Herald.named("ownership").start(database); Connection holder = database.connect()) {
            Herald.Tenant owner = herald.newTenant("owner");
            Herald.Tenant stranger = herald.newTenant("stranger");
            long webhook = herald.newWebhook(owner, "https://example.com/owned");
            holder.setAutoCommit(false);
            holder.createStatement().execute("SELECT 1 FROM endpoint_state WHERE webhook_id = " + webhook + " FOR UPDATE");
            try {
                long started = System.nanoTime();
                JsonNode refused = herald.graphql(stranger.key(),
                        "mutation { deleteWebhook(id: \"%d\") }".formatted(webhook));
                long millis = millisSince(started);
                assertEquals("NOT_FOUND", refused.at("/errors/0/extensions/classification").asText(), refused.toString());
                assertTrue(millis < 2_000, "answered in " + millis + " ms while the row was held");
            } finally {
                holder.rollback();
            }
        }
    }

    private static int statusOfPublic(Herald herald, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(herald.publicUrl(path))).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
