-- Giving back an attempt slot woke every endpoint that was parked (next_check_at 'infinity'), whether or not a
-- delivery waited there. The claim parks an endpoint for two reasons, at its in-flight cap and with nothing left to
-- send, and most endpoints are parked for the second: the claim took their only delivery. Woken by its completion,
-- such an endpoint was due with nothing to send; the next claim locked it ahead of endpoints with work (it had been
-- due longer) and parked it again. Under a steady load of one or two deliveries per endpoint, half of every claim's
-- endpoints were these (bench/README, "V15"), so a claim round carried half the deliveries it could, and the claim
-- loop fell behind well below its capacity.
--
-- Now a released endpoint that is parked is woken only when a delivery waits for it, at that delivery's due time.
-- Writers that add work wake the endpoint themselves, in their own transaction (fan-out, retries, replay, lease
-- expiry, a test's end); a writer whose delivery the caller's snapshot does not see yet is waiting for the endpoint
-- row that the caller holds locked, and wakes it after the caller commits. The wake is also done in the same UPDATE
-- that gives the slot back, instead of an INSERT .. ON CONFLICT after it: one row version per endpoint, not two.
-- Same signature as in V5, so replicas of the previous version call it unchanged during a rolling upgrade.
CREATE OR REPLACE FUNCTION herald_release_slots(ids bigint[], released int[], pause_until timestamptz[]) RETURNS void
LANGUAGE sql AS $$
    WITH slots AS (
        SELECT s.id, sum(s.n)::int AS n, max(s.pause) AS pause
          FROM unnest(ids, released, pause_until) AS s(id, n, pause) GROUP BY s.id)
    UPDATE endpoint_state e
       SET in_flight = e.in_flight - s.n,
           paused_until = CASE WHEN s.pause IS NULL THEN e.paused_until ELSE greatest(e.paused_until, s.pause) END,
           next_check_at = CASE
               WHEN e.next_check_at < 'infinity' THEN e.next_check_at
               ELSE coalesce((SELECT min(d.next_attempt_at) FROM delivery d
                               WHERE d.webhook_id = e.webhook_id AND d.status = 0), 'infinity')
           END
      FROM slots s
     WHERE e.webhook_id = s.id
$$;
