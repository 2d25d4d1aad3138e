package dev.herald.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * On a GraphQL API: failures that are not the caller's doing (anything but an {@link ApiException}) are logged
 * as errors; the caller's mistakes are answered, not logged.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface LogsUnexpectedFailures {
}
