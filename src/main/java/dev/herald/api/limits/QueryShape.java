package dev.herald.api.limits;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
 * The size of a GraphQL document: its deepest field, its fields in all and its aliases, fragments expanded where
 * they are spread. Measured from the text alone, before any resolver runs; a document that does not parse is left
 * to GraphQL's own answer.
 */
record QueryShape(int depth, int fields, int aliases) {

    /**
     * The shape, or empty when the text does not parse (GraphQL answers that itself).
     *
     * @throws TooLong when the text has more than {@code tokenLimit} tokens (the parser stops there)
     */
    static Optional<QueryShape> of(String query, int tokenLimit) {
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
            return Optional.empty();
        }
        Map<String, FragmentDefinition> fragments = new HashMap<>();
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof FragmentDefinition fragment) {
                fragments.put(fragment.getName(), fragment);
            }
        }
        Counter counter = new Counter(fragments);
        for (Definition<?> definition : document.getDefinitions()) {
            if (definition instanceof OperationDefinition operation) {
                counter.walk(operation.getSelectionSet(), 0, 0);
            }
        }
        return Optional.of(new QueryShape(counter.depth, counter.fields, counter.aliases));
    }

    /** A document longer than the parser was allowed to read. */
    static final class TooLong extends RuntimeException {

        TooLong() {
            super(null, null, false, false);
        }
    }

    /** Walks selections; a fragment spread inside itself (invalid GraphQL) is followed a bounded number of times. */
    private static final class Counter {

        /** Beyond any limit a configuration would set: the walk stops here whatever the document says. */
        private static final int CEILING = 100_000;

        private final Map<String, FragmentDefinition> fragments;
        private int depth;
        private int fields;
        private int aliases;

        Counter(Map<String, FragmentDefinition> fragments) {
            this.fragments = fragments;
        }

        void walk(SelectionSet selections, int level, int spreads) {
            if (selections == null || fields > CEILING || spreads > 64) {
                return;
            }
            for (Selection<?> selection : selections.getSelections()) {
                if (selection instanceof Field field) {
                    fields++;
                    if (field.getAlias() != null) {
                        aliases++;
                    }
                    depth = Math.max(depth, level + 1);
                    walk(field.getSelectionSet(), level + 1, spreads);
                } else if (selection instanceof InlineFragment inline) {
                    walk(inline.getSelectionSet(), level, spreads);
                } else if (selection instanceof FragmentSpread spread) {
                    FragmentDefinition fragment = fragments.get(spread.getName());
                    if (fragment != null) {
                        walk(fragment.getSelectionSet(), level, spreads + 1);
                    }
                }
            }
        }
    }
}
