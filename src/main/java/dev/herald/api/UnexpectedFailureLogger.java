package dev.herald.api;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * SmallRye GraphQL's own logging of data-fetching errors is off (quarkus.smallrye-graphql.print-data-fetcher-exception):
 * it logged every refused request at ERROR. This logs only what an operator must look at.
 */
@LogsUnexpectedFailures
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class UnexpectedFailureLogger {

    private static final Logger LOG = Logger.getLogger(UnexpectedFailureLogger.class);

    @AroundInvoke
    Object log(InvocationContext context) throws Exception {
        String operation = context.getMethod().getName();
        try {
            Object result = context.proceed();
            if (result instanceof Uni<?> uni) {
                return uni.onFailure(failure -> !(failure instanceof ApiException))
                        .invoke(failure -> LOG.errorf(failure, "GraphQL %s failed", operation));
            }
            return result;
        } catch (ApiException refused) {
            throw refused;
        } catch (Exception | Error unexpected) {
            LOG.errorf(unexpected, "GraphQL %s failed", operation);
            throw unexpected;
        }
    }
}
