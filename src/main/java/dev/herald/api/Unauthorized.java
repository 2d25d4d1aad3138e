package dev.herald.api;

/** No key, or a key Herald does not know. */
public class Unauthorized extends ApiException {

    public Unauthorized(String message) {
        super(message);
    }

    @Override
    public String classification() {
        return "UNAUTHORIZED";
    }

    @Override
    public int httpStatus() {
        return 401;
    }
}
