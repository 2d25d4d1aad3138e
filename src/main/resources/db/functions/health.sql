-- Webhook health: attempts per minute of the last hour in two rings of 60 slots (succeeded, failed), the last
-- success and failure, and the current run of failures, which auto-disable reads. Completions only log attempts;
-- a periodic job folds them into the health (herald_aggregate_health), one replica at a time.

-- Slot i of a ring last written at minute `ring_minute` counts the latest minute m <= ring_minute with m % 60 = i.
-- A slot whose minute is an hour or more before the minute asked about is stale (counts nothing).
CREATE OR REPLACE FUNCTION herald_ring_slot_minute(ring_minute bigint, slot int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ring_minute - ((ring_minute - slot) % 60 + 60) % 60
$$;

-- The ring with `n` added to minute `at_minute` (>= ring_minute), stale slots cleared. The common cases, an attempt
-- in the minute the ring was last written or within the hour after it, change the ring in place: the slots of the
-- minutes after the ring's own up to `at_minute` held minutes an hour older, and are cleared first.
CREATE OR REPLACE FUNCTION herald_ring_add(ring int[], ring_minute bigint, at_minute bigint, n int) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    added int[] := ring;
    slot int := (at_minute % 60)::int + 1;
BEGIN
    IF cardinality(ring) = 60 AND at_minute >= ring_minute AND at_minute - ring_minute < 60 THEN
        FOR m IN ring_minute + 1 .. at_minute LOOP
            added[(m % 60)::int + 1] := 0;
        END LOOP;
        added[slot] := added[slot] + n;
        RETURN added;
    END IF;
    RETURN (SELECT array_agg(CASE WHEN at_minute - herald_ring_slot_minute(ring_minute, i) < 60
                                  THEN coalesce(ring[i + 1], 0) ELSE 0 END
                             + CASE WHEN i = at_minute % 60 THEN n ELSE 0 END ORDER BY i)
              FROM generate_series(0, 59) AS i);
END $$;

-- What a ring counts in each of the 60 minutes up to `at_minute`, oldest first (the console's per-minute chart,
-- Webhook.health.minutes). A slot counts its minute only while it was last written for that very minute.
CREATE OR REPLACE FUNCTION herald_ring_minutes(ring int[], ring_minute bigint, at_minute bigint) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(CASE WHEN herald_ring_slot_minute(ring_minute, (m % 60)::int) = m
                          THEN coalesce(ring[(m % 60)::int + 1], 0) ELSE 0 END ORDER BY m)
      FROM generate_series(at_minute - 59, at_minute) AS m
$$;

-- The health entries of attempts whose request reached (or tried to reach) the receiver: an answer, a timeout, a
-- network failure. Not a request Herald refused or could not make (blocked, unsendable, internal): those say nothing
-- about the receiver, and counting them would let a wrong encryption key switch off every busy webhook. The caller
-- holds the health lock (herald_try_lock_health). Attempts of two replicas can be folded in either order: an attempt
-- is weighed against the stored last success and failure by when it ended (the database's clock), so an older
-- success never ends a newer run of failures and an older failure never starts one after a newer success.
CREATE OR REPLACE FUNCTION herald_record_health(ids bigint[], succeeded boolean[], ended_at timestamptz[],
                                                errors text[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- rows made for webhooks without one; looked for first, as a conflict costs several times a lookup
    INSERT INTO endpoint_health (webhook_id)
    SELECT DISTINCT a.id FROM unnest(ids) AS a(id)
     WHERE NOT EXISTS (SELECT 1 FROM endpoint_health h WHERE h.webhook_id = a.id)
     ORDER BY a.id
        ON CONFLICT (webhook_id) DO NOTHING;
    WITH attempt AS (
        SELECT * FROM unnest(ids, succeeded, ended_at, errors) AS a(id, ok, at, error)),
    run_start AS (
        -- a run of failures counts the failures after the latest success, stored or in this batch
        SELECT a.id, greatest(h.last_success_at, max(a.at) FILTER (WHERE a.ok)) AS after
          FROM attempt a JOIN endpoint_health h ON h.webhook_id = a.id
         GROUP BY a.id, h.last_success_at),
    per_endpoint AS (
        SELECT a.id, herald_minute(max(a.at)) AS minute,
               count(*) FILTER (WHERE a.ok)::int AS ok, count(*) FILTER (WHERE NOT a.ok)::int AS failed,
               max(a.at) FILTER (WHERE a.ok) AS last_ok, max(a.at) FILTER (WHERE NOT a.ok) AS last_failure,
               (array_agg(a.error ORDER BY a.at DESC) FILTER (WHERE NOT a.ok))[1] AS last_error,
               count(*) FILTER (WHERE NOT a.ok AND (s.after IS NULL OR a.at > s.after))::int AS failures_after,
               min(a.at) FILTER (WHERE NOT a.ok AND (s.after IS NULL OR a.at > s.after)) AS first_failure_after
          FROM attempt a JOIN run_start s USING (id)
         GROUP BY a.id)
    UPDATE endpoint_health h
       SET ring_minute = greatest(h.ring_minute, p.minute),
           succeeded = herald_ring_add(h.succeeded, h.ring_minute, greatest(h.ring_minute, p.minute), p.ok),
           failed = herald_ring_add(h.failed, h.ring_minute, greatest(h.ring_minute, p.minute), p.failed),
           last_success_at = greatest(h.last_success_at, p.last_ok),
           last_failure_at = greatest(h.last_failure_at, p.last_failure),
           last_error = CASE WHEN p.last_failure >= h.last_failure_at OR h.last_failure_at IS NULL
                             THEN coalesce(p.last_error, h.last_error) ELSE h.last_error END,
           -- what remains of the stored run of failures after this batch's successes, read from the row itself
           -- (a join of the row again cost a third of the statement), then this batch's failures after them
           consecutive_failures =
               CASE WHEN p.last_ok IS NULL OR p.last_ok <= h.last_success_at OR h.failing_since > p.last_ok
                         THEN h.consecutive_failures             -- no newer success, or the whole run came after it
                    WHEN h.failing_since IS NOT NULL AND h.last_failure_at > p.last_ok
                         THEN 1                                  -- part of it came after: at least its last failure
                    ELSE 0 END
               + p.failures_after,
           failing_since = least(   -- least() skips NULLs
               CASE WHEN p.last_ok IS NULL OR p.last_ok <= h.last_success_at OR h.failing_since > p.last_ok
                         THEN h.failing_since
                    WHEN h.failing_since IS NOT NULL AND h.last_failure_at > p.last_ok
                         THEN h.last_failure_at
                    END,
               p.first_failure_after)
      FROM per_endpoint p
     WHERE h.webhook_id = p.id;
END $$;

-- The one lock of the health: its job, auto-disable and an owner's restart of the run of failures take turns
-- under it, so none reads or writes a health another is changing. Held to the end of the caller's transaction;
-- answers false when another holds it.
CREATE OR REPLACE FUNCTION herald_health_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 20377740258337864  -- "HeraldH" in ASCII
$$;

CREATE OR REPLACE FUNCTION herald_try_lock_health() RETURNS boolean
LANGUAGE sql VOLATILE AS $$
    SELECT pg_try_advisory_xact_lock(herald_health_lock_key())
$$;

-- A webhook its owner switched on again (from off) starts a new run of failures for auto-disable to count. Waits
-- for the health lock: a fold in progress would otherwise write back the run it read before.
CREATE OR REPLACE FUNCTION herald_restart_failure_run(p_webhook bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(herald_health_lock_key());  -- waited for, not tried
    UPDATE endpoint_health SET failing_since = NULL, consecutive_failures = 0 WHERE webhook_id = p_webhook;
END $$;

-- The health job: folds into the health the attempts logged since it last ran (health_watermark). It takes the
-- attempts of transactions below the oldest one still running (a snapshot's xmin): those have all ended, so an
-- attempt a slow transaction commits late is still ahead of the watermark. At most about `max_attempts` a call, whole
-- transactions at a time. Then announces the runs of failures that reached `failing_after` and those that ended
-- (herald_announce_health). Answers the attempts folded in and whether more wait; nothing while another replica
-- runs it.
CREATE OR REPLACE FUNCTION herald_aggregate_health(max_attempts int, failing_after int)
RETURNS TABLE (attempts int, more boolean)
LANGUAGE plpgsql AS $$
DECLARE
    low bigint;
    horizon bigint;
    high bigint;
    ids bigint[];
    succeeded boolean[];
    ended_at timestamptz[];
    errors text[];
    live bigint[];
BEGIN
    IF NOT herald_try_lock_health() THEN
        RETURN QUERY SELECT 0, false;
        RETURN;
    END IF;
    SELECT w.logged_before INTO low FROM health_watermark w;
    horizon := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
    IF horizon <= low THEN
        RETURN QUERY SELECT 0, false;
        RETURN;
    END IF;
    -- a window of whole transactions: it ends before the transaction of the first attempt beyond the bound
    SELECT CASE WHEN count(*) > max_attempts THEN greatest(max(b.logged_by), low + 1) ELSE horizon END INTO high
      FROM (SELECT a.logged_by FROM delivery_log a
             WHERE a.logged_by >= low AND a.logged_by < horizon AND a.succeeded IS NOT NULL
             ORDER BY a.logged_by LIMIT max_attempts + 1) b;
    SELECT array_agg(a.webhook_id), array_agg(a.succeeded),
           array_agg(a.attempted_at + a.duration_ms * interval '1 millisecond'), array_agg(a.error)
      INTO ids, succeeded, ended_at, errors
      FROM delivery_log a
     WHERE a.logged_by >= low AND a.logged_by < high AND a.succeeded IS NOT NULL;
    IF ids IS NOT NULL THEN
        -- only webhooks that still exist, held so (a delete in progress is waited for): a deleted one's health went
        -- with it
        live := ARRAY(SELECT w.id FROM webhook w WHERE w.id = ANY(ids) ORDER BY w.id FOR KEY SHARE);
        SELECT array_agg(h.id), array_agg(h.ok), array_agg(h.at), array_agg(h.error)
          INTO ids, succeeded, ended_at, errors
          FROM unnest(ids, succeeded, ended_at, errors) AS h(id, ok, at, error)
         WHERE h.id IN (SELECT unnest(live));  -- a hashed lookup: `= ANY(live)` compared each attempt with each id
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM herald_record_health(ids, succeeded, ended_at, errors);
        PERFORM herald_announce_health(ARRAY(SELECT DISTINCT unnest(ids)), failing_after);
    END IF;
    UPDATE health_watermark SET logged_before = high;
    RETURN QUERY SELECT coalesce(cardinality(ids), 0), high < horizon;
END $$;

-- Switches off (status 0, with its reason) active webhooks whose attempts have all failed for `disable_after_ms` or
-- longer: from the first failure after their last success to their latest failure. At most `max_rows` a call. Their
-- waiting deliveries are then held like those of any switched-off webhook, and each is announced (webhook.disabled,
-- reason "failing"). Answers the webhooks switched off.
CREATE OR REPLACE FUNCTION herald_disable_failing(disable_after_ms bigint, max_rows int)
RETURNS TABLE (webhook_id bigint, failing_since timestamptz, last_error text)
LANGUAGE plpgsql AS $$
DECLARE
    candidates bigint[];
    off_ids bigint[];
    off_since timestamptz[];
    off_errors text[];
    off_details jsonb[];
BEGIN
    IF NOT herald_try_lock_health() THEN
        RETURN;  -- the health job holds it; the next check comes soon
    END IF;
    SELECT array_agg(c.webhook_id ORDER BY c.webhook_id) INTO candidates
      FROM (SELECT h.webhook_id FROM endpoint_health h JOIN webhook w ON w.id = h.webhook_id
             WHERE h.failing_since IS NOT NULL AND w.status = 1
               AND h.last_failure_at - h.failing_since >= disable_after_ms * interval '1 millisecond'
             ORDER BY h.webhook_id LIMIT max_rows) c;
    IF candidates IS NULL THEN
        RETURN;
    END IF;
    -- the lock order every writer keeps: endpoint rows first
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(candidates) ORDER BY e.webhook_id FOR UPDATE;
    WITH switched_off AS (
        UPDATE webhook w
           SET status = 0, updated_on = clock_timestamp(),
               disabled_reason = 'switched off by Herald: only failures since ' || herald_utc_text(h.failing_since)
                                 || coalesce(' (last error: ' || h.last_error || ')', '')
          FROM endpoint_health h
         WHERE w.id = ANY(candidates) AND h.webhook_id = w.id AND w.status = 1 AND h.failing_since IS NOT NULL
           AND h.last_failure_at - h.failing_since >= disable_after_ms * interval '1 millisecond'
        RETURNING w.id, h.failing_since, h.last_error, w.disabled_reason)
    SELECT array_agg(s.id ORDER BY s.id), array_agg(s.failing_since ORDER BY s.id),
           array_agg(s.last_error ORDER BY s.id),
           array_agg(jsonb_build_object('reason', 'failing', 'disabledReason', s.disabled_reason) ORDER BY s.id)
      INTO off_ids, off_since, off_errors, off_details FROM switched_off s;
    IF off_ids IS NULL THEN
        RETURN;
    END IF;
    PERFORM herald_announce(off_ids, array_fill('webhook.disabled'::text, ARRAY[cardinality(off_ids)]), off_details);
    RETURN QUERY SELECT * FROM unnest(off_ids, off_since, off_errors);
END $$;
