package dev.herald.api;

/** A body Herald cannot read as it is labelled or encoded: answered {@code 415}, naming the header or the rule. */
public class UnsupportedMediaType extends ApiException {

    public UnsupportedMediaType(String field, String rule) {
        super(field + ": " + rule);
    }

    @Override
    public String classification() {
        return "UNSUPPORTED_MEDIA_TYPE";
    }

    @Override
    public int httpStatus() {
        return 415;
    }
}
