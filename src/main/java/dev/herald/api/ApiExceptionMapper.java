package dev.herald.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** REST answers for {@link ApiException}s: their status, and a body naming the rule that was broken. */
public class ApiExceptionMapper {

    @RegisterForReflection // serialised by Jackson, also in the native image
    public record ErrorBody(String error, String message) {
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> map(ApiException e) {
        return RestResponse.status(RestResponse.Status.fromStatusCode(e.httpStatus()),
                new ErrorBody(e.classification(), e.getMessage()));
    }
}
