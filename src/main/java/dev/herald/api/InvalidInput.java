package dev.herald.api;

/** Input that breaks a rule; the message names the field and the rule, and nothing was written. */
public class InvalidInput extends ApiException {

    private final String field;

    public InvalidInput(String field, String rule) {
        super(field + ": " + rule);
        this.field = field;
    }

    /** {@code value} when it lies in [min, max]; otherwise an InvalidInput that says so. */
    public static int requireBetween(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidInput(field, "must be between " + min + " and " + max);
        }
        return value;
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
