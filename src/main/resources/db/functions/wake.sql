-- The wake rule: when a claim next looks at an endpoint (endpoint_state.next_check_at).
--
-- The lock order every writer keeps: endpoint_state rows first, in webhook id order, then webhook rows, then
-- deliveries, then receiver rows in id order. Claims take endpoint and receiver rows with SKIP LOCKED and never wait;
-- every other writer that touches an endpoint's deliveries (completions, the lease reaper, replay, webhook updates
-- and deletes, test events) locks its endpoint rows first, so two writers never hold what the other waits for.
-- Fan-out alone locks events first: only fan-out locks events, and the deliveries it inserts are new rows nobody
-- else can hold.

-- A writer that makes work due for endpoints at `due` (new deliveries, a retry, a replay, a webhook switched on, a
-- test's end) calls this, in its own transaction, so that a claim looks at each endpoint by then. Rows are created
-- when missing, locked in id order. An endpoint already due by then is locked and not written: a claim that holds it
-- first is waited for, and the row then compared as that claim left it (ON CONFLICT reads the latest version).
CREATE OR REPLACE FUNCTION herald_wake_endpoints(ids bigint[], due timestamptz[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO endpoint_state AS e (webhook_id, next_check_at)
    SELECT w.id, min(w.due) FROM unnest(ids, due) AS w(id, due)
     WHERE w.due IS NOT NULL
     GROUP BY w.id
     ORDER BY w.id
        ON CONFLICT (webhook_id) DO UPDATE SET next_check_at = excluded.next_check_at
                                     WHERE e.next_check_at > excluded.next_check_at
$$;

-- Slots given back to endpoints whose rows the caller holds locked: `released` attempts ended, a receiver asked for
-- a pause until `pause_until` (429). A parked endpoint (next_check_at 'infinity': it was at its in-flight cap, or had
-- nothing left to send) is woken only when a delivery waits for it, at that delivery's due time. Writers that add
-- work wake the endpoint themselves; one whose delivery the caller's snapshot does not see yet is waiting for the
-- endpoint row the caller holds, and wakes it after the caller commits.
CREATE OR REPLACE FUNCTION herald_release_slots(ids bigint[], released int[], pause_until timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    waiting_endpoints bigint[];
    waiting_due timestamptz[];
BEGIN
    WITH slots AS (
        SELECT s.id, sum(s.n)::int AS n, max(s.pause) AS pause
          FROM unnest(ids, released, pause_until) AS s(id, n, pause) GROUP BY s.id),
    updated AS (
        UPDATE endpoint_state e
           SET in_flight = e.in_flight - s.n,
               paused_until = CASE WHEN s.pause IS NULL THEN e.paused_until
                                   ELSE greatest(e.paused_until, s.pause) END
          FROM slots s
         WHERE e.webhook_id = s.id
     RETURNING e.webhook_id, e.next_check_at = 'infinity' AS parked)
    SELECT array_agg(u.webhook_id), array_agg(w.due)
      INTO waiting_endpoints, waiting_due
      FROM updated u
     CROSS JOIN LATERAL (SELECT min(d.next_attempt_at) AS due FROM delivery d
                          WHERE d.webhook_id = u.webhook_id AND d.status = 0) w
     WHERE u.parked AND w.due IS NOT NULL;
    IF waiting_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(waiting_endpoints, waiting_due);
    END IF;
END $$;
