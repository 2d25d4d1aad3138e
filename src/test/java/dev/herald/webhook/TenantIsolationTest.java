package dev.herald.webhook;

import static dev.herald.testing.GraphQL.errorClassification;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** OsmoX's resolver did not check ownership; Herald's must, on every operation. */
@QuarkusTest
class TenantIsolationTest {

    @Inject
    Database database;

    String aliceKey;
    String bobKey;
    int aliceProvider;
    String aliceWebhook;

    @BeforeEach
    void twoApplications() {
        aliceKey = GraphQL.newApplication("alice");
        bobKey = GraphQL.newApplication("bob");
        aliceProvider = GraphQL.newProvider(aliceKey, "alice-smtp");
        GraphQL.newProvider(bobKey, "bob-smtp");
        aliceWebhook = GraphQL.newWebhook(aliceKey, aliceProvider, "https://alice.example/hook");
    }

    @Test
    void aKeyCannotRegisterOnAnotherApplicationsProvider() {
        String before = database.snapshot();
        JsonPath answer = GraphQL.as(bobKey, """
                mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: "https://bob.example"}) { id } }"""
                .formatted(aliceProvider));
        assertEquals("NOT_FOUND", errorClassification(answer));
        assertEquals(before, database.snapshot());
    }

    @Test
    void aKeySeesOnlyItsOwnProvidersAndWebhooks() {
        List<String> bobsWebhooks = GraphQL.as(bobKey, "{ webhooks { id } }").getList("data.webhooks.id");
        assertEquals(List.of(), bobsWebhooks);
        List<String> filtered = GraphQL.as(bobKey, "{ webhooks(providerId: %d) { id } }".formatted(aliceProvider))
                .getList("data.webhooks.id");
        assertEquals(List.of(), filtered);
        List<String> alices = GraphQL.as(aliceKey, "{ webhooks(providerId: %d) { id } }".formatted(aliceProvider))
                .getList("data.webhooks.id");
        assertEquals(List.of(aliceWebhook), alices);
        List<String> bobsProviders = GraphQL.as(bobKey, "{ providers { name } }").getList("data.providers.name");
        assertEquals(List.of("bob-smtp"), bobsProviders);
    }

    @Test
    void aKeyCannotUpdateOrDeleteAnotherApplicationsWebhook() {
        JsonPath update = GraphQL.as(bobKey, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: 0}) { id } }""".formatted(aliceWebhook));
        assertEquals("NOT_FOUND", errorClassification(update));
        JsonPath delete = GraphQL.as(bobKey, "mutation { deleteWebhook(id: \"%s\") }".formatted(aliceWebhook));
        assertEquals("NOT_FOUND", errorClassification(delete));
        var row = database.query("SELECT status FROM webhook WHERE id = " + aliceWebhook).iterator().next();
        assertEquals(1, row.getInteger(0), "alice's webhook is untouched");
    }

    @Test
    void theOwnerCanUpdateAndDelete() {
        JsonPath update = GraphQL.as(aliceKey, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", status: 0, webhookUrl: "https://alice.example/v2"})
                  { id status webhookUrl } }""".formatted(aliceWebhook));
        assertNull(update.get("errors"));
        assertEquals(0, update.getInt("data.updateWebhook.status"));
        assertEquals("https://alice.example/v2", update.getString("data.updateWebhook.webhookUrl"));
        JsonPath delete = GraphQL.as(aliceKey, "mutation { deleteWebhook(id: \"%s\") }".formatted(aliceWebhook));
        assertEquals(true, delete.getBoolean("data.deleteWebhook"));
        assertEquals(0, database.count("webhook WHERE id = " + aliceWebhook));
    }

    /**
     * Another application's update or delete is answered NOT_FOUND without touching the endpoint row: while the
     * row is held (as a claim holds it), the stranger's request does not wait for it.
     */
    @Test
    void aStrangersChangeLocksNothingOfTheWebhook() throws Exception {
        GraphQL.as(aliceKey, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 1}) { id } }"
                .formatted(aliceWebhook)); // makes sure its endpoint row exists
        database.query("INSERT INTO endpoint_state (webhook_id) VALUES (" + aliceWebhook + ") ON CONFLICT DO NOTHING");
        try (Database.HeldLocks endpointRow = database.holding("SELECT 1 FROM endpoint_state WHERE webhook_id = "
                + aliceWebhook + " FOR UPDATE")) {
            for (String mutation : List.of(
                    "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }",
                    "mutation { deleteWebhook(id: \"%s\") }")) {
                long started = System.nanoTime();
                JsonPath answer = GraphQL.as(bobKey, mutation.formatted(aliceWebhook));
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals("NOT_FOUND", errorClassification(answer), answer.prettify());
                assertTrue(millis < 2_000, "answered in " + millis + " ms, not after the holder's lock");
            }
        }
    }
}
