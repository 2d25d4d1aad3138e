package dev.herald.api;

/** A request larger than a limit allows whatever the moment: answered 413, the message naming the limit. */
public class PayloadTooLarge extends ApiException {

    public PayloadTooLarge(String message) {
        super(message);
    }

    @Override
    public String classification() {
        return "PAYLOAD_TOO_LARGE";
    }

    @Override
    public int httpStatus() {
        return 413;
    }
}
