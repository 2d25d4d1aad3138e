package dev.herald.api.limits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import graphql.language.Definition;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import graphql.parser.exceptions.ParseCancelledException;

/**
 * The size of a GraphQL document, measured from its text before anything runs: its deepest field, its fields in
 * all and its aliases (fragments expanded where they are spread), and its {@link FieldCosts cost}.
 *
 * <p>The measure reads each selection of the text once, whatever the document says: fragments are measured once
 * each (in an order where a fragment comes after those it spreads) and a spread adds its fragment's measure. A
 * fragment that spreads itself, directly or through others, is refused first, as GraphQL's validation rule
 * "fragment spreads must not form cycles" requires: expanding such a spread never ends. Counts saturate, so a
 * document that doubles its fields with every fragment is measured as "too many" in time linear in its length.
 */
record QueryShape(int depth, long fields, long aliases, long cost) {

    /** Beyond any limit a configuration would set: counts stop growing here. */
    static final long CEILING = 1L << 40;

    /**
     * The shape of the document.
     *
     * @param variables the request's variables, for page sizes given as variables (may be empty)
     * @throws TooLong       when the text has more than {@code tokenLimit} tokens (the parser stops there)
     * @throws Unparsable    when the text is not a GraphQL document
     * @throws FragmentCycle when fragment spreads form a cycle
     */
    static QueryShape of(String query, int tokenLimit, Map<String, Object> variables) {
        Document document;
        try {
            // the shape needs no source locations or comments: not capturing them halves the parse
            ParserOptions options = ParserOptions.getDefaultParserOptions().transform(o -> o.maxTokens(tokenLimit)
                    .captureSourceLocation(false).captureLineComments(false).captureIgnoredChars(false));
            document = Parser.parse(ParserEnvironment.newParserEnvironment().document(query).parserOptions(options)
                    .build());
        } catch (ParseCancelledException cancelled) {
            throw new TooLong();
        } catch (InvalidSyntaxException unparsable) {
            throw new Unparsable(unparsable.getMessage());
        }
        Map<String, FragmentDefinition> fragments = new HashMap<>();
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof FragmentDefinition fragment) {
                fragments.putIfAbsent(fragment.getName(), fragment);
            }
        }
        Measurer measurer = new Measurer(fragments, new FieldCosts(variables));
        for (String name : spreadOrder(fragments)) {
            measurer.measureFragment(name);
        }
        Measure total = Measure.NONE;
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof OperationDefinition operation) {
                total = total.beside(measurer.measure(operation.getSelectionSet()));
            }
        }
        return new QueryShape(total.depth, total.fields, total.aliases, total.cost);
    }

    /**
     * The fragments in an order where each comes after every fragment it spreads; refuses a cycle. Iterative, so a
     * chain of thousands of fragments cannot exhaust the stack.
     */
    private static List<String> spreadOrder(Map<String, FragmentDefinition> fragments) {
        Map<String, Set<String>> spreads = new HashMap<>();
        fragments.forEach((name, fragment) -> spreads.put(name, spreadsIn(fragment.getSelectionSet(), fragments)));
        List<String> order = new ArrayList<>(fragments.size());
        Set<String> done = new java.util.HashSet<>();
        for (String start : fragments.keySet()) {
            if (done.contains(start)) {
                continue;
            }
            // a path of fragments being visited, each with the spreads it has yet to follow
            LinkedHashSet<String> path = new LinkedHashSet<>();
            Deque<Iterator<String>> pending = new ArrayDeque<>();
            path.add(start);
            pending.push(spreads.get(start).iterator());
            while (!pending.isEmpty()) {
                Iterator<String> next = pending.peek();
                if (!next.hasNext()) {
                    pending.pop();
                    String finished = last(path);
                    path.remove(finished);
                    done.add(finished);
                    order.add(finished);
                    continue;
                }
                String spread = next.next();
                if (path.contains(spread)) {
                    throw new FragmentCycle(cycle(path, spread));
                }
                if (!done.contains(spread)) {
                    path.add(spread);
                    pending.push(spreads.get(spread).iterator());
                }
            }
        }
        return order;
    }

    /** The names of the fragments a selection spreads (defined ones only), in fields and inline fragments too. */
    private static Set<String> spreadsIn(SelectionSet root, Map<String, FragmentDefinition> fragments) {
        Set<String> found = new LinkedHashSet<>();
        Deque<SelectionSet> sets = new ArrayDeque<>();
        sets.push(root);
        while (!sets.isEmpty()) {
            SelectionSet set = sets.pop();
            for (Selection<?> selection : set.getSelections()) {
                if (selection instanceof Field field && field.getSelectionSet() != null) {
                    sets.push(field.getSelectionSet());
                } else if (selection instanceof InlineFragment inline && inline.getSelectionSet() != null) {
                    sets.push(inline.getSelectionSet());
                } else if (selection instanceof FragmentSpread spread && fragments.containsKey(spread.getName())) {
                    found.add(spread.getName());
                }
            }
        }
        return found;
    }

    private static String last(LinkedHashSet<String> path) {
        String last = null;
        for (String name : path) {
            last = name;
        }
        return last;
    }

    /** "A → B → A": the part of the path from where the cycle starts, back to its start. */
    private static String cycle(LinkedHashSet<String> path, String repeated) {
        StringBuilder text = new StringBuilder();
        boolean inCycle = false;
        for (String name : path) {
            inCycle |= name.equals(repeated);
            if (inCycle) {
                text.append(name).append(" → ");
            }
        }
        return text.append(repeated).toString();
    }

    /** A document longer than the parser was allowed to read. */
    static final class TooLong extends RuntimeException {

        TooLong() {
            super(null, null, false, false);
        }
    }

    /** A document that does not parse; the message says where. */
    static final class Unparsable extends RuntimeException {

        Unparsable(String where) {
            super(where, null, false, false);
        }
    }

    /** Fragment spreads that form a cycle, e.g. {@code F → F}. */
    static final class FragmentCycle extends RuntimeException {

        FragmentCycle(String cycle) {
            super(cycle, null, false, false);
        }
    }

    /** What a selection set adds up to: nesting below it, fields, aliases and cost, each saturating. */
    private record Measure(int depth, long fields, long aliases, long cost) {

        static final Measure NONE = new Measure(0, 0, 0, 0);

        Measure beside(Measure other) {
            return new Measure(Math.max(depth, other.depth), add(fields, other.fields), add(aliases, other.aliases),
                    add(cost, other.cost));
        }
    }

    private static long add(long a, long b) {
        return Math.min(CEILING, a + b);
    }

    private static long times(long a, long b) {
        return a == 0 || b == 0 ? 0 : a > CEILING / b ? CEILING : Math.min(CEILING, a * b);
    }

    /** Measures selection sets; each fragment's measure is kept once it is known. */
    private static final class Measurer {

        private final Map<String, FragmentDefinition> fragments;
        private final Map<String, Measure> measured = new HashMap<>();
        private final FieldCosts costs;

        Measurer(Map<String, FragmentDefinition> fragments, FieldCosts costs) {
            this.fragments = fragments;
            this.costs = costs;
        }

        /** Called in spread order: every fragment this one spreads is measured already. */
        void measureFragment(String name) {
            measured.put(name, measure(fragments.get(name).getSelectionSet()));
        }

        /** Recursion follows the nesting of fields only, which the parser bounds. */
        Measure measure(SelectionSet set) {
            Measure total = Measure.NONE;
            if (set == null) {
                return total;
            }
            for (Selection<?> selection : set.getSelections()) {
                if (selection instanceof Field field) {
                    Measure inside = measure(field.getSelectionSet());
                    long cost = add(costs.weight(field), times(costs.items(field), inside.cost));
                    total = total.beside(new Measure(inside.depth + 1, add(1, inside.fields),
                            add(field.getAlias() == null ? 0 : 1, inside.aliases), cost));
                } else if (selection instanceof InlineFragment inline) {
                    total = total.beside(measure(inline.getSelectionSet()));
                } else if (selection instanceof FragmentSpread spread) {
                    // an undefined fragment is GraphQL's to refuse
                    total = total.beside(measured.getOrDefault(spread.getName(), Measure.NONE));
                }
            }
            return total;
        }
    }
}
