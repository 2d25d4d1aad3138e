package dev.herald.api;

/**
 * A referenced object that does not exist for this caller. Objects of other applications are reported the same
 * way, so a key cannot probe for them.
 */
public class NotFound extends ApiException {

    private final String field;

    /** @param field the input field, @param what the kind of object, @param id the id that was given */
    public NotFound(String field, String what, Object id) {
        super(field + ": no " + what + " " + id + " in this application");
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
