package dev.herald.api.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Refuses a GraphQL request that asks for more than {@link GraphQLLimitsConfig} allows, before any of it runs:
 * a route in front of SmallRye GraphQL's on {@code POST /graphql} reads the body (at most
 * {@code herald.graphql.max-request-bytes}; more is answered 413), measures each operation's {@link QueryShape}
 * and answers a GraphQL error ({@code BAD_REQUEST}, naming the rule and its setting) instead of passing it on.
 * Measuring is parsing only: a refused request costs about what parsing it costs.
 */
@ApplicationScoped
public class GraphQLLimits {

    /**
     * Before SmallRye GraphQL's routes: its execution route is ordered by when it was added (0, 1, ...), its
     * WebSocket route at -99; after Quarkus's own body handler and access log (near Integer.MIN_VALUE).
     */
    private static final int ORDER = -200;

    @Inject
    GraphQLLimitsConfig config;

    void install(@Observes Router router) {
        router.post("/graphql").order(ORDER)
                .handler(BodyHandler.create().setBodyLimit(config.maxRequestBytes()))
                .handler(this::check);
    }

    private void check(RoutingContext request) {
        Optional<String> refusal = queries(request).stream().map(this::refusal).flatMap(Optional::stream).findFirst();
        if (refusal.isEmpty()) {
            request.next();
            return;
        }
        JsonObject error = new JsonObject().put("message", refusal.get())
                .put("extensions", new JsonObject().put("classification", "BAD_REQUEST"));
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/graphql-response+json; charset=UTF-8")
                .end(new JsonObject().put("errors", new JsonArray().add(error)).put("data", (Object) null).encode());
    }

    /** The query texts of the request: one, or several in a batch; none when the body is not one we can read. */
    private static List<String> queries(RoutingContext request) {
        String type = request.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.startsWith("application/graphql")) {
            return List.of(request.body().asString());
        }
        List<String> queries = new ArrayList<>();
        try {
            Object body = request.body().buffer() == null ? null : Json.decodeValue(request.body().buffer());
            if (body instanceof JsonObject one) {
                addQuery(one, queries);
            } else if (body instanceof JsonArray batch) {
                batch.forEach(item -> {
                    if (item instanceof JsonObject one) {
                        addQuery(one, queries);
                    }
                });
            }
        } catch (DecodeException notJson) {
            // left to SmallRye GraphQL, which answers a malformed request itself
        }
        return queries;
    }

    private static void addQuery(JsonObject operation, List<String> queries) {
        if (operation.getValue("query") instanceof String query) {
            queries.add(query);
        }
    }

    /** Why this query is refused; empty when it may run (or does not parse: GraphQL says so itself). */
    Optional<String> refusal(String query) {
        // a document past this many tokens is over the field limit anyway
        int tokens = Math.max(1_000, config.maxFields() * 20);
        Optional<QueryShape> measured;
        try {
            measured = QueryShape.of(query, tokens);
        } catch (QueryShape.TooLong tooLong) {
            return Optional.of("query: longer than " + tokens + " tokens; at most " + config.maxFields()
                    + " fields may be selected (herald.graphql.max-fields)");
        }
        if (measured.isEmpty()) {
            return Optional.empty();
        }
        QueryShape shape = measured.get();
        if (shape.aliases() > config.maxAliases()) {
            return Optional.of("query: " + shape.aliases() + " aliases; at most " + config.maxAliases()
                    + " (herald.graphql.max-aliases)");
        }
        if (shape.depth() > config.maxDepth()) {
            return Optional.of("query: nested " + shape.depth() + " fields deep; at most " + config.maxDepth()
                    + " (herald.graphql.max-depth)");
        }
        if (shape.fields() > config.maxFields()) {
            return Optional.of("query: " + shape.fields() + " fields selected; at most " + config.maxFields()
                    + " (herald.graphql.max-fields)");
        }
        return Optional.empty();
    }
}
