-- Health that counts only what receivers did, in the order they did it, and test slots freed only by their own test
-- (README, "Endpoint health and auto-disable", "Test events").

-- An attempt's health entry when its request reached (or tried to reach) the receiver: an answer, a timeout, a
-- network failure. Not a request Herald refused or could not make (blocked, unsendable, internal): those say
-- nothing about the receiver, and counting them would let a wrong encryption key switch off every busy webhook.
-- The caller, herald_complete, holds the endpoint rows locked. Batches of two replicas can commit in either order:
-- an attempt is weighed against the stored last success and failure by when it ended (the database's clock), so an
-- older success never ends a newer run of failures and an older failure never starts one after a newer success.
CREATE OR REPLACE FUNCTION herald_record_health(ids bigint[], succeeded boolean[], ended_at timestamptz[],
                                                errors text[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO endpoint_health (webhook_id)
    SELECT DISTINCT a.id FROM unnest(ids) AS a(id) ORDER BY a.id
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
         GROUP BY a.id),
    stored_run AS (
        -- what remains of the stored run of failures after this batch's successes
        SELECT p.id,
               CASE WHEN p.last_ok IS NULL OR p.last_ok <= h.last_success_at OR h.failing_since > p.last_ok
                         THEN h.consecutive_failures             -- no newer success, or the whole run came after it
                    WHEN h.failing_since IS NOT NULL AND h.last_failure_at > p.last_ok
                         THEN 1                                  -- part of it came after: at least its last failure
                    ELSE 0 END AS failures,
               CASE WHEN p.last_ok IS NULL OR p.last_ok <= h.last_success_at OR h.failing_since > p.last_ok
                         THEN h.failing_since
                    WHEN h.failing_since IS NOT NULL AND h.last_failure_at > p.last_ok
                         THEN h.last_failure_at
                    END AS since
          FROM per_endpoint p JOIN endpoint_health h ON h.webhook_id = p.id)
    UPDATE endpoint_health h
       SET ring_minute = greatest(h.ring_minute, p.minute),
           succeeded = herald_ring_add(h.succeeded, h.ring_minute, greatest(h.ring_minute, p.minute), p.ok),
           failed = herald_ring_add(h.failed, h.ring_minute, greatest(h.ring_minute, p.minute), p.failed),
           last_success_at = greatest(h.last_success_at, p.last_ok),
           last_failure_at = greatest(h.last_failure_at, p.last_failure),
           last_error = CASE WHEN p.last_failure >= h.last_failure_at OR h.last_failure_at IS NULL
                             THEN coalesce(p.last_error, h.last_error) ELSE h.last_error END,
           consecutive_failures = r.failures + p.failures_after,
           failing_since = least(r.since, p.first_failure_after)   -- least() skips NULLs
      FROM per_endpoint p JOIN stored_run r USING (id)
     WHERE h.webhook_id = p.id;
END $$;

-- A test's slot is now fenced by its lease: herald_end_test frees it only when it is still the one this test
-- started (a test that outlived its lease must not free a newer test's slot).
DROP FUNCTION herald_start_test(bigint, int, int, int, bigint, bigint);
DROP FUNCTION herald_end_test(bigint);

-- Starts a test event on an application's webhook, counted in its caps as a claim is (the same rule as the
-- claim's capacity in Claimer: the lower of the global and the webhook's caps, a running test holding one
-- in-flight slot, a receiver's pause respected). Answers nothing when the webhook is not the application's; else
-- why it cannot start now (null when it started) and what the attempt needs.
CREATE FUNCTION herald_start_test(p_webhook bigint, p_application int, global_in_flight int, global_starts int,
                                  window_ms bigint, lease_ms bigint)
RETURNS TABLE (refusal text, webhook_url text, secret text, previous_secret text, legacy_signature_header text,
               headers text, lease timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    hook record;
    e record;
    recent timestamptz[];
    cap_in_flight int;
    cap_starts int;
    test_lease timestamptz;
BEGIN
    SELECT w.webhook_url, w.secret,
           CASE WHEN w.previous_secret_expires_at > clock_timestamp() THEN w.previous_secret END AS previous_secret,
           w.legacy_signature_header, w.headers, w.max_in_flight, w.max_per_minute
      INTO hook
      FROM webhook w JOIN provider p ON p.id = w.provider_id
     WHERE w.id = p_webhook AND p.application_id = p_application;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO endpoint_state (webhook_id) VALUES (p_webhook) ON CONFLICT (webhook_id) DO NOTHING;
    SELECT * INTO e FROM endpoint_state WHERE endpoint_state.webhook_id = p_webhook FOR UPDATE;
    cap_in_flight := least(global_in_flight, coalesce(hook.max_in_flight, global_in_flight));
    cap_starts := least(global_starts, coalesce(hook.max_per_minute, global_starts));
    recent := ARRAY(SELECT s FROM unnest(e.window_starts) s
                     WHERE s > clock_timestamp() - window_ms * interval '1 millisecond' ORDER BY s);
    refusal := CASE
        WHEN e.test_until > clock_timestamp() THEN 'a test event is already running for this webhook'
        WHEN e.paused_until > clock_timestamp()
             THEN 'the receiver asked for a pause (429) until ' || herald_utc_text(e.paused_until)
        WHEN e.in_flight >= cap_in_flight
             THEN format('%s deliveries are in flight, the webhook''s cap (maxInFlight %s); try again when one ends',
                         e.in_flight, cap_in_flight)
        WHEN cardinality(recent) >= cap_starts
             THEN format('%s attempts started in the last minute, the webhook''s cap (maxPerMinute %s)',
                         cardinality(recent), cap_starts)
        END;
    IF refusal IS NULL THEN
        test_lease := clock_timestamp() + lease_ms * interval '1 millisecond';
        UPDATE endpoint_state
           SET test_until = test_lease,
               -- a start charged must never be earlier than one already charged
               window_starts = recent || greatest(clock_timestamp(), recent[cardinality(recent)])
         WHERE endpoint_state.webhook_id = p_webhook;
    END IF;
    RETURN QUERY SELECT refusal, hook.webhook_url, hook.secret, hook.previous_secret, hook.legacy_signature_header,
                        hook.headers, test_lease;
END $$;

-- Ends a test event: its slot, if still its own (`p_lease` as herald_start_test answered), is given back and the
-- endpoint woken (it may have been parked at its cap).
CREATE FUNCTION herald_end_test(p_webhook bigint, p_lease timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE endpoint_state SET test_until = NULL WHERE webhook_id = p_webhook AND test_until = p_lease;
    PERFORM herald_wake_endpoints(ARRAY[p_webhook], ARRAY[clock_timestamp()]);
    PERFORM pg_notify('herald_dispatch', '');
END $$;

-- herald_complete as in V9, told which attempts reached their receiver (`reached`): only those enter the health.
DROP FUNCTION herald_complete(bigint[], bigint[], bigint[], smallint[], bigint[], boolean[], bigint[], int[],
                              smallint[], text[], text[], bigint[], boolean[]);
CREATE FUNCTION herald_complete(
    delivery_ids bigint[], webhook_ids bigint[], claim_tokens bigint[], new_statuses smallint[], retry_ms bigint[],
    sent boolean[], attempt_age_ms bigint[], duration_ms int[], status_codes smallint[], errors text[],
    excerpts text[], pause_ms bigint[], gone boolean[], reached boolean[])
RETURNS TABLE (delivery_id bigint, status smallint)
LANGUAGE plpgsql AS $$
DECLARE
    retry_ids bigint[];
    final_ids bigint[];
    ended_ids bigint[];
    ended_endpoints bigint[];
    ended_pauses timestamptz[];
    ended_statuses smallint[];
    retry_endpoints bigint[];
    retry_due timestamptz[];
    gone_endpoints bigint[];
    attempted_endpoints bigint[];
    attempt_succeeded boolean[];
    attempt_ended timestamptz[];
    attempt_errors text[];
BEGIN
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(webhook_ids) ORDER BY e.webhook_id FOR UPDATE;
    -- a 410 switches its webhook off: that row next, before any delivery row
    PERFORM 1 FROM webhook w
     WHERE w.id IN (SELECT g.id FROM unnest(webhook_ids, gone) AS g(id, gone) WHERE g.gone)
     ORDER BY w.id FOR NO KEY UPDATE;
    -- the deliveries are found through the primary key (= ANY): the hot table churns, and a plan that scans it
    -- would slow down with every dead row vacuum has not removed yet
    SELECT array_agg(o.id) FILTER (WHERE o.new_status = 0), array_agg(o.id) FILTER (WHERE o.new_status IN (2, 3))
      INTO retry_ids, final_ids
      FROM unnest(delivery_ids, new_statuses) AS o(id, new_status);

    WITH outcome AS (
        SELECT * FROM unnest(delivery_ids, claim_tokens, new_statuses, retry_ms, sent, attempt_age_ms, duration_ms,
                             status_codes, errors, excerpts, pause_ms, gone, reached)
            AS o(delivery_id, claim_token, new_status, retry_ms, sent, age_ms, duration_ms, status_code, error,
                 excerpt, pause_ms, gone, reached)),
    retried AS (
        UPDATE delivery d
           SET status = 0,
               next_attempt_at = clock_timestamp() + o.retry_ms * interval '1 millisecond',
               attempt_count = CASE WHEN o.sent THEN d.attempt_count ELSE d.attempt_count - 1 END,
               -- a 410 holds the delivery: it keeps one attempt for when the webhook is switched on again
               attempt_limit = CASE WHEN o.gone THEN greatest(d.attempt_limit, d.attempt_count + 1)
                                    ELSE d.attempt_limit END,
               claim_token = NULL, lease_until = NULL
          FROM outcome o
         WHERE d.id = ANY(retry_ids) AND o.new_status = 0 AND d.id = o.delivery_id AND d.claim_token = o.claim_token
           AND d.status = 1
     RETURNING d.id, d.webhook_id, d.attempt_count, 0::smallint AS status, d.next_attempt_at, o.sent, o.age_ms,
               o.duration_ms, o.status_code, o.error, o.excerpt, o.pause_ms, o.gone, o.reached),
    finished AS (
        DELETE FROM delivery d USING outcome o
         WHERE d.id = ANY(final_ids) AND o.new_status IN (2, 3) AND d.id = o.delivery_id
           AND d.claim_token = o.claim_token AND d.status = 1
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               o.new_status AS status, o.sent, o.age_ms, o.duration_ms, o.status_code, o.error, o.excerpt,
               o.pause_ms, o.gone, o.reached),
    archived AS (
        INSERT INTO delivery_history (id, event_id, event_accepted_at, webhook_id, application_id, status,
                                      attempt_count, created_at, finished_at)
        SELECT f.id, f.event_id, f.event_accepted_at, f.webhook_id, f.application_id, f.status, f.attempt_count,
               f.created_at, clock_timestamp()
          FROM finished f),
    recorded AS (
        SELECT r.id, r.webhook_id, r.attempt_count, r.status, r.next_attempt_at, r.sent, r.age_ms, r.duration_ms,
               r.status_code, r.error, r.excerpt, r.pause_ms, r.gone, r.reached FROM retried r
        UNION ALL
        SELECT f.id, f.webhook_id, f.attempt_count, f.status, NULL, f.sent, f.age_ms, f.duration_ms, f.status_code,
               f.error, f.excerpt, f.pause_ms, f.gone, f.reached FROM finished f),
    attempts AS (
        INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, status_code, error,
                                      response_excerpt)
        SELECT r.id, r.attempt_count, clock_timestamp() - r.age_ms * interval '1 millisecond', r.duration_ms,
               r.status_code, r.error, r.excerpt
          FROM recorded r WHERE r.sent)
    SELECT array_agg(r.id), array_agg(r.webhook_id), array_agg(r.status),
           array_agg(CASE WHEN r.pause_ms IS NOT NULL THEN clock_timestamp() + r.pause_ms * interval '1 millisecond' END),
           array_agg(r.webhook_id) FILTER (WHERE r.status = 0),
           array_agg(r.next_attempt_at) FILTER (WHERE r.status = 0),
           array_agg(DISTINCT r.webhook_id) FILTER (WHERE r.gone),
           -- health counts what the receiver did: not requests Herald could not or would not make
           array_agg(r.webhook_id) FILTER (WHERE r.reached), array_agg(r.status = 2) FILTER (WHERE r.reached),
           array_agg(clock_timestamp() - (r.age_ms - r.duration_ms) * interval '1 millisecond')
               FILTER (WHERE r.reached),
           array_agg(r.error) FILTER (WHERE r.reached)
      INTO ended_ids, ended_endpoints, ended_statuses, ended_pauses, retry_endpoints, retry_due, gone_endpoints,
           attempted_endpoints, attempt_succeeded, attempt_ended, attempt_errors
      FROM recorded r;

    IF ended_ids IS NULL THEN
        RETURN;
    END IF;
    IF gone_endpoints IS NOT NULL THEN
        UPDATE webhook SET status = 0, updated_on = clock_timestamp(),
                           disabled_reason = 'the receiver answered 410 Gone at '
                                             || herald_utc_text(clock_timestamp())
         WHERE id = ANY(gone_endpoints) AND webhook.status = 1;
    END IF;
    IF attempted_endpoints IS NOT NULL THEN
        PERFORM herald_record_health(attempted_endpoints, attempt_succeeded, attempt_ended, attempt_errors);
    END IF;
    PERFORM herald_release_slots(ended_endpoints, array_fill(1, ARRAY[cardinality(ended_endpoints)]), ended_pauses);
    IF retry_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(retry_endpoints, retry_due);
    END IF;
    RETURN QUERY SELECT * FROM unnest(ended_ids, ended_statuses);
END $$;

ALTER FUNCTION herald_complete(bigint[], bigint[], bigint[], smallint[], bigint[], boolean[], bigint[], int[],
                               smallint[], text[], text[], bigint[], boolean[], boolean[]) SET enable_seqscan = off;

-- Runs of failures V9 recorded from outcomes that never reached the receiver (a wrong encryption key for days would
-- switch a webhook off at its first real failure) or that its restart left half reset: they start again from
-- nothing, which can only make auto-disable later, never earlier.
UPDATE endpoint_health
   SET failing_since = NULL, consecutive_failures = 0
 WHERE (failing_since IS NOT NULL
        AND (last_error ~ '^(unsendable|blocked|internal): ' OR failing_since <= last_success_at))
    OR (failing_since IS NULL AND consecutive_failures > 0);
