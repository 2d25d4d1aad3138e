package dev.herald.api;

/**
 * A referenced object that does not exist for this caller. Objects of other applications are reported the same
 * way, so a key cannot probe for them.
 */
public class NotFound extends ApiException {

    private final String field;

    public NotFound(String field, Object id) {
        super(field + ": no " + field + " " + id + " in this application");
        this.field = field;
    }

    public String field() {
        return field;
    }

    @Override
    public String classification() {
        return "NOT_FOUND";
    }

    @Override
    public int httpStatus() {
        return 404;
    }
}
