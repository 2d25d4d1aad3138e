package dev.herald.api;

/** Input that breaks a rule; the message names the field and the rule, and nothing was written. */
public class InvalidInput extends ApiException {

    private final String field;

    public InvalidInput(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
    }

    public String field() {
        return field;
    }

    @Override
    public String classification() {
        return "BAD_REQUEST";
    }

    @Override
    public int httpStatus() {
        return 400;
    }
}
