package dev.herald.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.StringJoiner;

import org.junit.jupiter.api.Test;

import dev.herald.testing.GraphQL;
import graphql.introspection.IntrospectionQuery;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * One request cannot take a replica's time: too many aliases, fields or levels are refused before anything runs,
 * with an error that names the rule and its setting; what the API and its UI need passes.
 */
@QuarkusTest
class GraphQLLimitsTest {

    private static final String KEY = GraphQL.DEMO_KEY;

    @Test
    void fiveHundredAliasesOfAPageAreRefusedBeforeAnyRuns() {
        StringJoiner query = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 500; i++) {
            query.add("a" + i + ": deliveries(limit: 500) { items { id attempts { error responseExcerpt } } }");
        }
        JsonPath refused = GraphQL.as(KEY, query.toString());
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: 500 aliases; at most 10 (herald.graphql.max-aliases)",
                refused.getString("errors[0].message"));
        assertNull(refused.get("data"), "nothing ran");
    }

    /** Ten fields resolved at once (GraphQL runs them in parallel): each answers, none shares another's session. */
    @Test
    void tenAliasesPass() {
        StringJoiner query = new StringJoiner(" ", "{ ", " }");
        for (int i = 0; i < 5; i++) {
            query.add("p" + i + ": providers { providerId }");
            query.add("w" + i + ": webhooks { id webhookUrl }");
        }
        JsonPath answer = GraphQL.as(KEY, query.toString());
        assertFalse(answer.getMap("").containsKey("errors"), answer.prettify());
        assertTrue(answer.getList("data.p4").size() >= 1, answer.prettify());
        assertEquals(answer.getList("data.w0"), answer.getList("data.w4"), answer.prettify());
    }

    @Test
    void aQueryNestedTooDeepIsRefused() {
        // 21 levels through a fragment that spreads another, as an attacker would hide it
        String query = "{ __schema { types { ...Deep } } } fragment Deep on __Type { fields { type { ...TypeRef } } }"
                + " fragment TypeRef on __Type { " + "ofType { ".repeat(16) + "name" + " }".repeat(16) + " }";
        JsonPath refused = GraphQL.as(KEY, query);
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: nested 21 fields deep; at most 20 (herald.graphql.max-depth)",
                refused.getString("errors[0].message"));
    }

    @Test
    void tooManyFieldsAreRefused() {
        // a fragment spread 4 times, each 150 fields: 600 in all, no alias
        StringJoiner fields = new StringJoiner(" ");
        for (int i = 0; i < 150; i++) {
            fields.add("name");
        }
        String query = "{ providers { ...F ...F ...F ...F } } fragment F on Provider { " + fields + " }";
        JsonPath refused = GraphQL.as(KEY, query);
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("query: 601 fields selected; at most 500 (herald.graphql.max-fields)",
                refused.getString("errors[0].message"));
    }

    @Test
    void theIntrospectionQueryOfGraphQLToolsPasses() {
        JsonPath answer = GraphQL.as(KEY, IntrospectionQuery.INTROSPECTION_QUERY);
        assertFalse(answer.getMap("").containsKey("errors"), answer.prettify());
        assertTrue(answer.getList("data.__schema.types").size() > 10);
    }

    @Test
    void aPageOverTheMaximumIsRefusedNotClamped() {
        JsonPath refused = GraphQL.as(KEY, "{ deliveries(limit: 501) { totalCount } }");
        assertEquals("BAD_REQUEST", GraphQL.errorClassification(refused), refused.prettify());
        assertEquals("limit: must be between 1 and 500", refused.getString("errors[0].message"));
    }

    @Test
    void malformedQueriesAreStillAnsweredByGraphQL() {
        JsonPath answer = GraphQL.as(KEY, "{ providers { ");
        // SmallRye GraphQL's own answer, not a limit's
        assertEquals("Unparseable input document", answer.getString("errors[0].message"), answer.prettify());
    }
}
