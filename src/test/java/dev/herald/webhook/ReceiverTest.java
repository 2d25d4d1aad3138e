package dev.herald.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;

/** Which receiving endpoint a URL names (herald_receiver_key), and webhooks naming one endpoint sharing its row. */
@QuarkusTest
class ReceiverTest {

    @Inject
    Database database;

    @ParameterizedTest
    @CsvSource({
            "https://Example.COM/hook,             https://example.com:443/hook",
            "https://example.com:443/hook?a=1#top, https://example.com:443/hook",
            "http://example.com,                   http://example.com:80/",
            "HTTP://example.com:8080/a/b/,         http://example.com:8080/a/b",
            "http://127.0.0.1:08080/x,             http://127.0.0.1:8080/x",
            "https://[::1]:9443/v1,                https://[::1]:9443/v1",
            "https://example.com/hook/,            https://example.com:443/hook",
            "https://example.com//a/./b,           https://example.com:443/a/b",
            "https://example.com./hook,            https://example.com:443/hook" })
    void aUrlNamesItsEndpointBySchemeHostPortAndPath(String url, String key) {
        assertEquals(key, database.query("SELECT herald_receiver_key('" + url + "')").iterator().next().getString(0));
    }

    @Test
    void webhooksOfTwoApplicationsOnOneEndpointShareItsReceiver() {
        String alice = GraphQL.newApplication("alice-shared");
        String bob = GraphQL.newApplication("bob-shared");
        String a = GraphQL.newWebhook(alice, GraphQL.newProvider(alice, "smtp"), "https://shared.example/hook");
        String b = GraphQL.newWebhook(bob, GraphQL.newProvider(bob, "smtp"), "https://SHARED.example:443/hook?from=bob");
        String c = GraphQL.newWebhook(bob, GraphQL.newProvider(bob, "sms"), "https://shared.example/other");
        assertEquals(receiver(a), receiver(b));
        assertNotEquals(receiver(a), receiver(c));
        GraphQL.as(bob, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", webhookUrl: \"https://shared.example/hook\"}) { id } }"
                .formatted(c));
        assertEquals(receiver(a), receiver(c), "a changed URL names its new endpoint");
    }

    private long receiver(String webhook) {
        return database.query("SELECT receiver_id FROM webhook WHERE id = " + webhook).iterator().next().getLong(0);
    }
}
