package dev.herald.api;

/**
 * A failure the caller can act on. GraphQL shows its message and classification (see
 * {@link ClassificationExtension}); REST maps it to a status code.
 */
public abstract class ApiException extends RuntimeException {

    protected ApiException(String message) {
        super(message, null, false, false);
    }

    /** The GraphQL error classification, e.g. {@code UNAUTHORIZED}. */
    public abstract String classification();

    /** The HTTP status the REST API answers with. */
    public abstract int httpStatus();
}
