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

    /**
     * Fields selected in all, fragments expanded each time they are spread (the introspection query: about 250).
     * A fragment that spreads itself, directly or through others, is refused whatever this says.
     */
    @WithDefault("500")
    int maxFields();

    /**
     * The most one request may cost: every field 1, a list's fields counted once per item of the page it may answer
     * ({@code webhooks(limit: 100) { id }} costs 101), a webhook's {@code health} and {@code responseTimes} 10 more
     * each per webhook. The console's largest query, a page of 100 webhooks with their health by minute, costs about
     * 19,000.
     */
    @WithDefault("50000")
    long maxCost();

    /** Fields renamed by an alias ({@code a: deliveries}): the cheap way to ask for the same costly field many times. */
    @WithDefault("10")
    int maxAliases();

    /** The request's body, in bytes. */
    @WithDefault("65536")
    int maxRequestBytes();
}
