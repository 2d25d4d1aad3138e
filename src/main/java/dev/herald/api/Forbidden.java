package dev.herald.api;

/** A valid key asking for something it may not do (an application key on an admin operation, say). */
public class Forbidden extends ApiException {

    public Forbidden(String message) {
        super(message);
    }

    @Override
    public String classification() {
        return "FORBIDDEN";
    }

    @Override
    public int httpStatus() {
        return 403;
    }
}
