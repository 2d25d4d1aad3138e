package dev.herald.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * REST answers for {@link ApiException}s: their status, and a body naming the rule that was broken; a limit reached
 * ({@link TooManyRequests}) also says when to try again ({@code Retry-After}).
 */
public class ApiExceptionMapper {

    @RegisterForReflection // serialised by Jackson, also in the native image
    public record ErrorBody(String error, String message) {
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> map(ApiException e) {
        RestResponse.ResponseBuilder<ErrorBody> answer = RestResponse.ResponseBuilder.create(
                RestResponse.Status.fromStatusCode(e.httpStatus()), new ErrorBody(e.classification(), e.getMessage()));
        if (e instanceof TooManyRequests limited) {
            answer.header("Retry-After", Long.toString(limited.retryAfterSeconds()));
        }
        return answer.build();
    }
}
