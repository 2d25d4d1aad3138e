package dev.herald.api.limits;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.herald.api.ApiException;
import dev.herald.api.TooManyRequests;
import dev.herald.tenancy.CallerResolver;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The door of {@code POST /graphql}: a route in front of SmallRye GraphQL's reads the body (at most
 * {@code herald.graphql.max-request-bytes}; more is answered 413), measures each operation's {@link QueryShape}
 * against {@link GraphQLLimitsConfig}, then authenticates the caller once ({@link CallerResolver}). A request that
 * breaks a limit or has no valid key is answered here with a GraphQL error naming the rule, and nothing of it runs;
 * one that passes goes on to GraphQL with its caller attached. Measuring is parsing plus one pass over the text, so
 * a refused request costs about what parsing it costs, and a request without a valid key never reaches a resolver.
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

    @Inject
    CallerResolver callers;

    /** One operation of a request: its text and variables. */
    record Operation(String query, Map<String, Object> variables) {
    }

    void install(@Observes Router router) {
        // SmallRye GraphQL serves graphql-ws on this path too, where no check of ours would run: Herald has no
        // subscriptions, so an upgrade is refused before it can carry a query
        router.route("/graphql").order(ORDER - 1).handler(request -> {
            if ("websocket".equalsIgnoreCase(request.request().getHeader(HttpHeaders.UPGRADE))) {
                request.response().setStatusCode(400).end("GraphQL over WebSocket is not served: POST /graphql");
            } else {
                request.next();
            }
        });
        router.post("/graphql").order(ORDER)
                .handler(BodyHandler.create().setBodyLimit(config.maxRequestBytes()))
                .handler(this::check);
    }

    private void check(RoutingContext request) {
        List<Operation> operations;
        try {
            operations = operations(request);
        } catch (DecodeException malformed) {
            // the decoder's own message quotes its internals (and the body): say what is wrong in our words
            answerError(request, 200, "body: malformed JSON; send {\"query\": \"...\", \"variables\": {...}}",
                    "BAD_REQUEST");
            return;
        }
        Optional<String> refusal = operations.stream().map(this::refusal).flatMap(Optional::stream).findFirst();
        if (refusal.isPresent()) {
            answerError(request, 200, refusal.get(), "BAD_REQUEST");
            return;
        }
        callers.of(request.request()).subscribe().with(caller -> {
            request.put(CallerResolver.CALLER, caller);
            request.next();
        }, failure -> {
            if (failure instanceof ApiException refused) {
                if (refused instanceof TooManyRequests throttled) {
                    request.response().putHeader("Retry-After", Long.toString(throttled.retryAfterSeconds()));
                }
                answerError(request, refused.httpStatus() == 429 ? 429 : 200, refused.getMessage(),
                        refused.classification());
            } else {
                request.fail(failure);
            }
        });
    }

    private static void answerError(RoutingContext request, int status, String message, String classification) {
        JsonObject error = new JsonObject().put("message", message)
                .put("extensions", new JsonObject().put("classification", classification));
        request.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/graphql-response+json; charset=UTF-8")
                .end(new JsonObject().put("errors", new JsonArray().add(error)).put("data", (Object) null).encode());
    }

    /**
     * The operations of the request: one, or several in a batch; none when the body holds none (GraphQL answers
     * that itself).
     *
     * @throws DecodeException when the body is not JSON
     */
    private static List<Operation> operations(RoutingContext request) {
        String type = request.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null && type.startsWith("application/graphql")) {
            // measured as SmallRye GraphQL reads such a body: without its line breaks and tabs
            return List.of(new Operation(request.body().asString().replaceAll("[\n\t\r]", ""), Map.of()));
        }
        List<Operation> operations = new ArrayList<>();
        Object body = request.body().buffer() == null ? null : Json.decodeValue(request.body().buffer());
        if (body instanceof JsonObject one) {
            addOperation(one, operations);
        } else if (body instanceof JsonArray batch) {
            batch.forEach(item -> {
                if (item instanceof JsonObject one) {
                    addOperation(one, operations);
                }
            });
        }
        return operations;
    }

    private static void addOperation(JsonObject operation, List<Operation> operations) {
        if (operation.getValue("query") instanceof String query) {
            Map<String, Object> variables = operation.getValue("variables") instanceof JsonObject given
                    ? given.getMap() : Map.of();
            operations.add(new Operation(query, variables));
        }
    }

    /** Why this operation is refused; empty when it may run. A document that does not parse does not run. */
    Optional<String> refusal(Operation operation) {
        // a document past this many tokens is over the field limit anyway
        int tokens = Math.max(1_000, config.maxFields() * 20);
        QueryShape shape;
        try {
            shape = QueryShape.of(operation.query(), tokens, operation.variables());
        } catch (QueryShape.Unparsable unparsable) {
            return Optional.of("query: does not parse (" + unparsable.getMessage() + ")");
        } catch (QueryShape.TooLong tooLong) {
            return Optional.of("query: longer than " + tokens + " tokens; at most " + config.maxFields()
                    + " fields may be selected (herald.graphql.max-fields)");
        } catch (QueryShape.FragmentCycle cycle) {
            return Optional.of("query: fragment spreads must not form cycles (" + cycle.getMessage() + ")");
        }
        if (shape.aliases() > config.maxAliases()) {
            return Optional.of("query: " + count(shape.aliases()) + " aliases; at most " + config.maxAliases()
                    + " (herald.graphql.max-aliases)");
        }
        if (shape.depth() > config.maxDepth()) {
            return Optional.of("query: nested " + shape.depth() + " fields deep; at most " + config.maxDepth()
                    + " (herald.graphql.max-depth)");
        }
        if (shape.fields() > config.maxFields()) {
            return Optional.of("query: " + count(shape.fields()) + " fields selected; at most " + config.maxFields()
                    + " (herald.graphql.max-fields)");
        }
        if (shape.cost() > config.maxCost()) {
            return Optional.of("query: costs " + count(shape.cost()) + "; at most " + config.maxCost()
                    + " (herald.graphql.max-cost: every field 1, a list's fields once per item of its page,"
                    + " health 10 more per webhook)");
        }
        return Optional.empty();
    }

    private static String count(long value) {
        return value >= QueryShape.CEILING ? "more than " + QueryShape.CEILING : Long.toString(value);
    }
}
