package dev.herald.ingest;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.herald.quota.Allowance;
import dev.herald.tenancy.CallerResolver;
import io.vertx.ext.web.RoutingContext;

/**
 * The {@code RateLimit-*} headers on every answer of {@code /v1/events}, refusals included: the application's ingest
 * allowance when the caller is known, else the client's failed authentications.
 */
public class RateLimitHeaders {

    @Inject
    CallerResolver callers;

    @ServerResponseFilter
    public void add(ContainerResponseContext response, RoutingContext context) {
        if (!"/v1/events".equals(context.normalizedPath())) {
            return;
        }
        Map<String, String> headers = context.get(EventResource.ALLOWANCE) instanceof Allowance allowance
                ? allowance.headers() : callers.failureLimitHeaders(context.request());
        headers.forEach((name, value) -> response.getHeaders().putSingle(name, value));
    }
}
