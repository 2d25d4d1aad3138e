package dev.herald.delivery;

/**
 * A host name that did not resolve. Transient as far as Herald can tell (a resolver restarting, SERVFAIL, a
 * timeout, a record not yet published): the attempt is a network error and is retried on the schedule.
 */
public class NameNotResolved extends RuntimeException {

    public NameNotResolved(String host, String why) {
        super("name resolution failed for " + host + " (" + why + ")");
    }
}
