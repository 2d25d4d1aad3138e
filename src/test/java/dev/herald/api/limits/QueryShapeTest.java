package dev.herald.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The measure of a document, from its text: pure logic, no server. */
class QueryShapeTest {

    private static final int TOKENS = 10_000;

    private static QueryShape measure(String query) {
        return measure(query, Map.of());
    }

    private static QueryShape measure(String query, Map<String, Object> variables) {
        return QueryShape.of(query, TOKENS, variables);
    }

    @Test
    void aFragmentThatSpreadsItselfIsACycle() {
        QueryShape.FragmentCycle cycle = assertThrows(QueryShape.FragmentCycle.class,
                () -> measure("fragment F on Query { ...F ...F } { ...F }"));
        assertEquals("F → F", cycle.getMessage());
    }

    @Test
    void aCycleThroughOtherFragmentsIsNamedFromWhereItCloses() {
        QueryShape.FragmentCycle cycle = assertThrows(QueryShape.FragmentCycle.class, () -> measure(
                "{ ...A } fragment A on Query { providers { ...B } } fragment B on Provider { name ...C }"
                        + " fragment C on Provider { ... on Provider { ...B } }"));
        assertEquals("B → C → B", cycle.getMessage());
    }

    /** 30 fragments, each spreading the next twice: 2^30 fields if expanded; measured once each. */
    @Test
    void fragmentsThatDoubleAreMeasuredOnceEachAndSaturate() {
        StringBuilder query = new StringBuilder("{ ...F0 }");
        for (int i = 0; i < 30; i++) {
            query.append(" fragment F").append(i).append(" on Query { ...F").append(i + 1).append(" ...F")
                    .append(i + 1).append(" }");
        }
        query.append(" fragment F30 on Query { providers { name } }");
        long started = System.nanoTime();
        QueryShape shape = measure(query.toString());
        assertTrue(System.nanoTime() - started < 100_000_000L, "measured in under 100 ms");
        assertEquals(2L << 30, shape.fields(), "every field counted where it is spread");
    }

    @Test
    void aLongChainOfFragmentsDoesNotExhaustTheStack() {
        StringBuilder query = new StringBuilder("{ ...F0 }");
        for (int i = 0; i < 2_000; i++) {
            query.append(" fragment F").append(i).append(" on Query { ...F").append(i + 1).append(" }");
        }
        query.append(" fragment F2000 on Query { providers { name } }");
        QueryShape shape = QueryShape.of(query.toString(), 100_000, Map.of());
        assertEquals(2, shape.fields());
        assertEquals(2, shape.depth());
    }

    @Test
    void depthAndAliasesCountThroughFragments() {
        QueryShape shape = measure("{ a: webhooks { ...W } } fragment W on Webhook { id b: health { lastError } }");
        assertEquals(3, shape.depth());
        assertEquals(2, shape.aliases());
        assertEquals(4, shape.fields());
    }

    @Test
    void aListCostsItsPageTimesWhatEachItemSelects() {
        assertEquals(1 + 100 * 2, measure("{ webhooks(limit: 100) { id webhookUrl } }").cost());
        assertEquals(1 + 100 * 1, measure("{ webhooks { id } }").cost(), "the default page");
        assertEquals(1 + 7 * 1, measure("query($n: Int) { webhooks(limit: $n) { id } }", Map.of("n", 7)).cost());
        assertEquals(1 + 500 * 1, measure("query($n: Int) { webhooks(limit: $n) { id } }").cost(),
                "a size the request does not give counts as the largest page");
        assertEquals(1 + 500 * 1, measure("{ webhooks(limit: 100000) { id } }").cost(),
                "a size over the maximum is refused by the resolver: it counts as the maximum");
    }

    @Test
    void healthCostsMoreAndItsMinutesAnHour() {
        // webhooks: 100 × (id 1 + health (10 + minutes (1 × ... 60 × 3 fields)))
        long perWebhook = 1 + 10 + (1 + 60 * 3);
        assertEquals(1 + 100 * perWebhook,
                measure("{ webhooks { id health { minutes { minute succeeded failed } } } }").cost());
    }

    @Test
    void tenAliasesOfEveryWebhooksHealthByMinuteCostMoreThanTheDefaultBudget() {
        StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < 10; i++) {
            query.append(" w").append(i).append(": webhooks(limit: 100) { id health { minutes { minute succeeded } } }");
        }
        assertTrue(measure(query.append(" }").toString()).cost() > 50_000);
    }

    @Test
    void aDocumentPastTheTokenLimitIsTooLong() {
        String query = "{ " + "providers { name } ".repeat(5_000) + "}";
        assertThrows(QueryShape.TooLong.class, () -> QueryShape.of(query, 1_000, Map.of()));
    }

    @Test
    void textThatDoesNotParseSaysWhere() {
        QueryShape.Unparsable refused = assertThrows(QueryShape.Unparsable.class,
                () -> QueryShape.of("{ providers { ", TOKENS, Map.of()));
        assertTrue(refused.getMessage().contains("line 1"), refused.getMessage());
    }
}
