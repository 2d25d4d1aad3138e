package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Every list is answered a page at a time, with a largest page; more is refused, not clamped. */
@QuarkusTest
class PagesTest {

    @Test
    void webhooksAreAnsweredInPagesThatFollowEachOther() {
        String key = GraphQL.newApplication("pages");
        int provider = GraphQL.newProvider(key, "smtp");
        List<String> registered = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            registered.add(GraphQL.newWebhook(key, provider, "https://example.com/p" + i));
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            JsonPath answer = GraphQL.as(key, "{ webhooks(limit: 3%s) { id } }"
                    .formatted(after == null ? "" : ", after: \"" + after + "\""));
            List<String> ids = answer.getList("data.webhooks.id");
            seen.addAll(ids);
            if (ids.size() < 3) {
                break;
            }
            after = ids.get(ids.size() - 1);
        }
        assertEquals(registered, seen);
    }

    @Test
    void aPageOverItsLargestIsRefusedNamingTheArgument() {
        JsonPath webhooks = GraphQL.as(GraphQL.DEMO_KEY, "{ webhooks(limit: 501) { id } }");
        assertEquals("limit: must be between 1 and 500", webhooks.getString("errors[0].message"), webhooks.prettify());
        JsonPath providers = GraphQL.as(GraphQL.DEMO_KEY, "{ providers(limit: 1001) { providerId } }");
        assertEquals("limit: must be between 1 and 1000", providers.getString("errors[0].message"));
        JsonPath applications = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications(limit: 0) { name } }");
        assertEquals("limit: must be between 1 and 1000", applications.getString("errors[0].message"));
        JsonPath attempts = GraphQL.as(GraphQL.DEMO_KEY, "{ deliveries(limit: 1) { items { attempts(last: 101) { error } } } }");
        assertTrue(attempts.get("errors") == null || attempts.getString("errors[0].message")
                .equals("last: must be between 1 and 100"), attempts.prettify());
    }

    @Test
    void applicationsPageNewestFirst() {
        for (int i = 0; i < 3; i++) {
            GraphQL.newApplication("paged-" + i);
        }
        List<Integer> first = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications(limit: 2) { applicationId } }")
                .getList("data.applications.applicationId");
        List<Integer> next = GraphQL.as(GraphQL.ADMIN_KEY, "{ applications(limit: 2, after: %d) { applicationId } }"
                .formatted(first.get(1))).getList("data.applications.applicationId");
        assertTrue(first.get(0) > first.get(1) && first.get(1) > next.get(0), first + " then " + next);
    }
}
