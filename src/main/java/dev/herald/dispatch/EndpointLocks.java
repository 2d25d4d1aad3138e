package dev.herald.dispatch;

/**
 * Statements that give back endpoint slots lock the endpoint rows in id order first. Two completions (or a
 * completion and the lease reaper) touching the same endpoints then queue instead of deadlocking. Claims need
 * no order: they lock with {@code SKIP LOCKED} and never wait.
 */
final class EndpointLocks {

    /** A CTE {@code locked(webhook_id)} over the endpoints of a CTE {@code released(webhook_id, ...)}. */
    static final String LOCK_RELEASED = """
            locked AS (
                SELECT e.webhook_id FROM endpoint_state e
                 WHERE e.webhook_id IN (SELECT webhook_id FROM released)
                 ORDER BY e.webhook_id
                   FOR UPDATE)
            """;

    private EndpointLocks() {
    }
}
