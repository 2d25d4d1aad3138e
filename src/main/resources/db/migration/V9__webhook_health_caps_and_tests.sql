-- Per-webhook headers and caps, endpoint health, auto-disable and test events (README, "Per-webhook settings",
-- "Endpoint health and auto-disable", "Test events").

-- headers: the owner's extra request headers, encrypted like the secret (they often carry the receiver's API key);
-- max_in_flight / max_per_minute: lower caps than the global ones (NULL: the global caps);
-- disabled_reason: why Herald switched the webhook off (auto-disable, 410 Gone); NULL when its owner did, or it is on.
ALTER TABLE webhook ADD COLUMN headers text,
                    ADD COLUMN max_in_flight int CHECK (max_in_flight >= 1),
                    ADD COLUMN max_per_minute int CHECK (max_per_minute >= 1),
                    ADD COLUMN disabled_reason text;

-- A test event (sendTestEvent) holds one in-flight slot of its endpoint until it ends, or until this time passes
-- when its replica died: a slot that frees itself, so a lost test never shrinks the endpoint's cap for good.
ALTER TABLE endpoint_state ADD COLUMN test_until timestamptz;

-- A webhook's health, written by herald_complete for every attempt sent (under the endpoint row's lock, the only
-- writer besides the owner switching the webhook on): attempts per minute of the last hour in two rings of 60
-- slots, the last success and failure, failures since the last success and when that run of failures began.
-- A small table of its own: the endpoint rows are rewritten by every claim and stay narrow.
CREATE TABLE endpoint_health (
    webhook_id           bigint      PRIMARY KEY REFERENCES webhook (id) ON DELETE CASCADE,
    ring_minute          bigint      NOT NULL DEFAULT 0,  -- the minute (since the epoch) the rings were last written
    succeeded            int[]       NOT NULL DEFAULT '{}',
    failed               int[]       NOT NULL DEFAULT '{}',
    last_success_at      timestamptz,
    last_failure_at      timestamptz,
    last_error           text,
    consecutive_failures int         NOT NULL DEFAULT 0,
    failing_since        timestamptz
) WITH (fillfactor = 50);
-- auto-disable looks only at webhooks that are failing now
CREATE INDEX endpoint_health_failing_idx ON endpoint_health (webhook_id) WHERE failing_since IS NOT NULL;

CREATE FUNCTION herald_utc_text(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- The rings: slot i of a ring last written at minute `ring_minute` counts the latest minute m <= ring_minute with
-- m % 60 = i. A slot whose minute is an hour or more before the minute asked about is stale (counts nothing).
CREATE FUNCTION herald_ring_slot_minute(ring_minute bigint, slot int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ring_minute - ((ring_minute - slot) % 60 + 60) % 60
$$;

-- The ring moved on to `at_minute` (not before ring_minute) with `n` added to that minute.
CREATE FUNCTION herald_ring_add(ring int[], ring_minute bigint, at_minute bigint, n int) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(CASE WHEN at_minute - herald_ring_slot_minute(ring_minute, i) < 60
                          THEN coalesce(ring[i + 1], 0) ELSE 0 END
                     + CASE WHEN i = at_minute % 60 THEN n ELSE 0 END ORDER BY i)
      FROM generate_series(0, 59) AS i
$$;

-- What the ring counts in the 60 minutes up to `at_minute`.
CREATE FUNCTION herald_ring_sum(ring int[], ring_minute bigint, at_minute bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(sum(ring[i + 1]), 0) FROM generate_series(0, 59) AS i
     WHERE at_minute - herald_ring_slot_minute(ring_minute, i) < 60
$$;

CREATE FUNCTION herald_minute(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM t) / 60)::bigint
$$;

-- Records attempts sent (one entry each: its endpoint, whether it succeeded, when it ended, its error) in the
-- endpoints' health. The caller holds the endpoint rows locked.
CREATE FUNCTION herald_record_health(ids bigint[], succeeded boolean[], ended_at timestamptz[], errors text[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO endpoint_health (webhook_id)
    SELECT DISTINCT a.id FROM unnest(ids) AS a(id) ORDER BY a.id
        ON CONFLICT (webhook_id) DO NOTHING;
    WITH attempt AS (
        SELECT * FROM unnest(ids, succeeded, ended_at, errors) AS a(id, ok, at, error)),
    last_success AS (
        SELECT id, max(at) AS at FROM attempt WHERE ok GROUP BY id),
    per_endpoint AS (
        SELECT a.id, herald_minute(max(a.at)) AS minute,
               count(*) FILTER (WHERE a.ok)::int AS ok, count(*) FILTER (WHERE NOT a.ok)::int AS failed,
               max(a.at) FILTER (WHERE a.ok) AS last_ok, max(a.at) FILTER (WHERE NOT a.ok) AS last_failure,
               (array_agg(a.error ORDER BY a.at DESC) FILTER (WHERE NOT a.ok))[1] AS last_error,
               bool_or(a.ok) AS any_ok,
               -- the failures after this batch's last success (all of them when it has none)
               count(*) FILTER (WHERE NOT a.ok AND (s.at IS NULL OR a.at > s.at))::int AS failures_after,
               min(a.at) FILTER (WHERE NOT a.ok AND (s.at IS NULL OR a.at > s.at)) AS first_failure_after
          FROM attempt a LEFT JOIN last_success s USING (id)
         GROUP BY a.id)
    UPDATE endpoint_health h
       SET ring_minute = greatest(h.ring_minute, p.minute),
           succeeded = herald_ring_add(h.succeeded, h.ring_minute, greatest(h.ring_minute, p.minute), p.ok),
           failed = herald_ring_add(h.failed, h.ring_minute, greatest(h.ring_minute, p.minute), p.failed),
           last_success_at = greatest(h.last_success_at, p.last_ok),
           last_failure_at = greatest(h.last_failure_at, p.last_failure),
           last_error = coalesce(p.last_error, h.last_error),
           consecutive_failures = CASE WHEN p.any_ok THEN p.failures_after
                                       ELSE h.consecutive_failures + p.failures_after END,
           failing_since = CASE WHEN p.any_ok THEN p.first_failure_after
                                ELSE coalesce(h.failing_since, p.first_failure_after) END
      FROM per_endpoint p
     WHERE h.webhook_id = p.id;
END $$;

-- Switches off (status 0, with its reason) active webhooks whose attempts have all failed for `disable_after_ms`
-- or longer: from the first failure after their last success to their latest failure. At most `max_rows` a call.
-- Their waiting deliveries are then held like those of any switched-off webhook. Answers the webhooks switched off.
CREATE FUNCTION herald_disable_failing(disable_after_ms bigint, max_rows int)
RETURNS TABLE (webhook_id bigint, failing_since timestamptz, last_error text)
LANGUAGE plpgsql AS $$
DECLARE
    candidates bigint[];
BEGIN
    SELECT array_agg(c.webhook_id ORDER BY c.webhook_id) INTO candidates
      FROM (SELECT h.webhook_id FROM endpoint_health h JOIN webhook w ON w.id = h.webhook_id
             WHERE h.failing_since IS NOT NULL AND w.status = 1
               AND h.last_failure_at - h.failing_since >= disable_after_ms * interval '1 millisecond'
             ORDER BY h.webhook_id LIMIT max_rows) c;
    IF candidates IS NULL THEN
        RETURN;
    END IF;
    -- the lock order every writer keeps: endpoint rows first (their health cannot change while they are held)
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(candidates) ORDER BY e.webhook_id FOR UPDATE;
    RETURN QUERY
    UPDATE webhook w
       SET status = 0, updated_on = clock_timestamp(),
           disabled_reason = 'switched off by Herald: only failures since ' || herald_utc_text(h.failing_since)
                             || coalesce(' (last error: ' || h.last_error || ')', '')
      FROM endpoint_health h
     WHERE w.id = ANY(candidates) AND h.webhook_id = w.id AND w.status = 1 AND h.failing_since IS NOT NULL
       AND h.last_failure_at - h.failing_since >= disable_after_ms * interval '1 millisecond'
    RETURNING w.id, h.failing_since, h.last_error;
END $$;

-- Starts a test event on an application's webhook, counted in its caps as a claim is (the same rule as the
-- claim's capacity in Claimer: the lower of the global and the webhook's caps, a running test holding one
-- in-flight slot, a receiver's pause respected). Answers nothing when the webhook is not the application's; else
-- why it cannot start now (null when it started) and what the attempt needs.
CREATE FUNCTION herald_start_test(p_webhook bigint, p_application int, global_in_flight int, global_starts int,
                                  window_ms bigint, lease_ms bigint)
RETURNS TABLE (refusal text, webhook_url text, secret text, previous_secret text, legacy_signature_header text,
               headers text)
LANGUAGE plpgsql AS $$
DECLARE
    hook record;
    e record;
    recent timestamptz[];
    cap_in_flight int;
    cap_starts int;
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
        UPDATE endpoint_state
           SET test_until = clock_timestamp() + lease_ms * interval '1 millisecond',
               -- a start charged must never be earlier than one already charged
               window_starts = recent || greatest(clock_timestamp(), recent[cardinality(recent)])
         WHERE endpoint_state.webhook_id = p_webhook;
    END IF;
    RETURN QUERY SELECT refusal, hook.webhook_url, hook.secret, hook.previous_secret, hook.legacy_signature_header,
                        hook.headers;
END $$;

-- Ends a test event: its slot is given back and the endpoint woken (it may have been parked at its cap).
CREATE FUNCTION herald_end_test(p_webhook bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE endpoint_state SET test_until = NULL WHERE webhook_id = p_webhook;
    PERFORM herald_wake_endpoints(ARRAY[p_webhook], ARRAY[clock_timestamp()]);
    PERFORM pg_notify('herald_dispatch', '');
END $$;

-- Records a batch of attempt outcomes, as in V6, and also each sent attempt in its endpoint's health; a 410 says why
-- it switched the webhook off.
CREATE OR REPLACE FUNCTION herald_complete(
    delivery_ids bigint[], webhook_ids bigint[], claim_tokens bigint[], new_statuses smallint[], retry_ms bigint[],
    sent boolean[], attempt_age_ms bigint[], duration_ms int[], status_codes smallint[], errors text[],
    excerpts text[], pause_ms bigint[], gone boolean[])
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
                             status_codes, errors, excerpts, pause_ms, gone)
            AS o(delivery_id, claim_token, new_status, retry_ms, sent, age_ms, duration_ms, status_code, error,
                 excerpt, pause_ms, gone)),
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
               o.duration_ms, o.status_code, o.error, o.excerpt, o.pause_ms, o.gone),
    finished AS (
        DELETE FROM delivery d USING outcome o
         WHERE d.id = ANY(final_ids) AND o.new_status IN (2, 3) AND d.id = o.delivery_id
           AND d.claim_token = o.claim_token AND d.status = 1
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               o.new_status AS status, o.sent, o.age_ms, o.duration_ms, o.status_code, o.error, o.excerpt,
               o.pause_ms, o.gone),
    archived AS (
        INSERT INTO delivery_history (id, event_id, event_accepted_at, webhook_id, application_id, status,
                                      attempt_count, created_at, finished_at)
        SELECT f.id, f.event_id, f.event_accepted_at, f.webhook_id, f.application_id, f.status, f.attempt_count,
               f.created_at, clock_timestamp()
          FROM finished f),
    recorded AS (
        SELECT r.id, r.webhook_id, r.attempt_count, r.status, r.next_attempt_at, r.sent, r.age_ms, r.duration_ms,
               r.status_code, r.error, r.excerpt, r.pause_ms, r.gone FROM retried r
        UNION ALL
        SELECT f.id, f.webhook_id, f.attempt_count, f.status, NULL, f.sent, f.age_ms, f.duration_ms, f.status_code,
               f.error, f.excerpt, f.pause_ms, f.gone FROM finished f),
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
           array_agg(r.webhook_id) FILTER (WHERE r.sent), array_agg(r.status = 2) FILTER (WHERE r.sent),
           array_agg(clock_timestamp() - (r.age_ms - r.duration_ms) * interval '1 millisecond') FILTER (WHERE r.sent),
           array_agg(r.error) FILTER (WHERE r.sent)
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
                               smallint[], text[], text[], bigint[], boolean[]) SET enable_seqscan = off;
