package dev.herald.api.limits;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much one GraphQL request may ask for, so that one tenant cannot take a replica's time: checked on the
 * request's text before anything runs ({@link QueryShape}). The defaults leave room for every operation the API
 * documents, the console included.
 */
@ConfigMapping(prefix = "herald.graphql")
public interface GraphQLLimitsConfig {

    /**
     * Deepest nesting of fields (fragments expanded): {@code { deliveries { items { attempts { error } } } } } is 4.
     * The GraphQL UI's introspection query nests 13 deep.
     */
    @WithDefault("20")
    int maxDepth();

    /** Fields selected in all, fragments expanded each time they are spread (the introspection query: about 250). */
    @WithDefault("500")
    int maxFields();

    /** Fields renamed by an alias ({@code a: deliveries}): the cheap way to ask for the same costly field many times. */
    @WithDefault("10")
    int maxAliases();

    /** The request's body, in bytes. */
    @WithDefault("65536")
    int maxRequestBytes();
}
