-- Giving back an attempt slot woke every endpoint that was parked (next_check_at 'infinity'), whether or not a
-- delivery waited there. The claim parks an endpoint for two reasons, at its in-flight cap and with nothing left to
-- send, and most endpoints are parked for the second: the claim took their only delivery. Woken by its completion,
-- such an endpoint was due with nothing to send; the next claim locked it ahead of endpoints with work (it had been
-- due longer) and parked it again. Under a steady load of one or two deliveries per endpoint, half of every claim's
-- endpoints were these (bench/README, "V15 and V16"), so a claim round carried half the deliveries it could, and the claim
-- loop fell behind well below its capacity.
--
-- Now a released endpoint that is parked is woken only when a delivery waits for it, at that delivery's due time,
-- through the one wake rule (herald_wake_endpoints). Writers that add work wake the endpoint themselves, in their
-- own transaction (fan-out, retries, replay, lease expiry, a test's end); a writer whose delivery the caller's
-- snapshot does not see yet is waiting for the endpoint row that the caller holds locked, and wakes it after the
-- caller commits. Same signature as in V5, so replicas of the previous version call it unchanged during a rolling
-- upgrade.
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
