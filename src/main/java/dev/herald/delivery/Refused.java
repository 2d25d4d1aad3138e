package dev.herald.delivery;

/**
 * A request Herald refuses to make (the address policy, or a URL it cannot use): the attempt ends as
 * {@code blocked: <reason>} without any connection.
 */
final class Refused extends RuntimeException {

    Refused(String reason) {
        super(reason, null, false, false);
    }
}
