-- Dispatch that survives the faults production brings (README, "Failure modes").
--
-- The lock order every writer keeps: endpoint_state rows first, in webhook id order, then webhook rows, then
-- deliveries. Claims take endpoint rows with SKIP LOCKED and never wait; every other writer that touches an
-- endpoint's deliveries (completions, the lease reaper, replay, webhook updates and deletes) locks its endpoint
-- rows first, so two writers never hold what the other waits for. Fan-out alone locks events first: only
-- fan-out locks events, and the deliveries it inserts are new rows nobody else can hold.

-- Attempt counters a replay cannot overflow (smallint ended at 32,767 attempts and then failed every claim that
-- took the delivery).
ALTER TABLE delivery ALTER COLUMN attempt_count TYPE integer, ALTER COLUMN attempt_limit TYPE integer;
ALTER TABLE delivery_attempt ALTER COLUMN attempt_number TYPE integer;

-- Fan-out in statements bounded by the deliveries they create: how far an event has been fanned out (the last
-- webhook id done), so that one event on a provider with many webhooks takes several statements.
ALTER TABLE event ADD COLUMN fan_out_cursor bigint NOT NULL DEFAULT 0;
-- A provider's active webhooks in id order: fan-out walks them from an event's cursor.
CREATE INDEX webhook_active_idx ON webhook (provider_id, id) WHERE status = 1;

-- The wake rule, in one place: a writer that makes work due for endpoints at `due` (new deliveries, a retry, a
-- replay, a webhook switched on, a slot given back) calls this, so that a claim looks at each endpoint by then.
-- Rows are created when missing, locked in id order.
CREATE FUNCTION herald_wake_endpoints(ids bigint[], due timestamptz[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO endpoint_state AS e (webhook_id, next_check_at)
    SELECT w.id, min(w.due) FROM unnest(ids, due) AS w(id, due)
     WHERE w.due IS NOT NULL
     GROUP BY w.id
     ORDER BY w.id
        ON CONFLICT (webhook_id) DO UPDATE SET next_check_at = least(e.next_check_at, excluded.next_check_at)
$$;

-- Slots given back to endpoints whose rows the caller holds locked: `released` attempts ended, a receiver asked
-- for a pause until `pause_until` (429). An endpoint parked by its last claim (next_check_at 'infinity': it was at
-- the in-flight cap, or switched off) is due again at once; a claim then parks it again if it must.
CREATE FUNCTION herald_release_slots(ids bigint[], released int[], pause_until timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    parked bigint[];
BEGIN
    WITH slots AS (
        SELECT s.id, sum(s.n)::int AS n, max(s.pause) AS pause
          FROM unnest(ids, released, pause_until) AS s(id, n, pause) GROUP BY s.id),
    before AS (
        SELECT e.webhook_id, e.next_check_at = 'infinity' AS was_parked
          FROM endpoint_state e JOIN slots s ON s.id = e.webhook_id),
    updated AS (
        UPDATE endpoint_state e
           SET in_flight = e.in_flight - s.n,
               paused_until = CASE WHEN s.pause IS NULL THEN e.paused_until
                                   ELSE greatest(e.paused_until, s.pause) END
          FROM slots s
         WHERE e.webhook_id = s.id)
    SELECT array_agg(webhook_id) INTO parked FROM before WHERE was_parked;
    IF parked IS NOT NULL THEN
        PERFORM herald_wake_endpoints(parked, array_fill(clock_timestamp(), ARRAY[cardinality(parked)]));
    END IF;
END $$;

-- Records a batch of attempt outcomes (the Completer). Fenced by claim tokens: an outcome whose claim was taken
-- over changes nothing. Per outcome: the delivery's next status (0 retried, 2 delivered, 3 failed), the wait
-- before its retry in ms (the database's clock adds it), whether the request was sent at all (a claim that went
-- stale before sending is given back uncounted), the attempt's details, a pause the receiver asked for in ms
-- (429) and whether it answered 410 Gone (the webhook is switched off; its deliveries wait, held, until it is
-- switched on again). Answers the deliveries recorded with their new status.
CREATE FUNCTION herald_complete(
    delivery_ids bigint[], webhook_ids bigint[], claim_tokens bigint[], new_statuses smallint[], retry_ms bigint[],
    sent boolean[], attempted_at timestamptz[], duration_ms int[], status_codes smallint[], errors text[],
    excerpts text[], pause_ms bigint[], gone boolean[])
RETURNS TABLE (delivery_id bigint, status smallint)
LANGUAGE plpgsql AS $$
DECLARE
    ended_ids bigint[];
    ended_endpoints bigint[];
    ended_pauses timestamptz[];
    ended_statuses smallint[];
    retry_endpoints bigint[];
    retry_due timestamptz[];
    gone_endpoints bigint[];
BEGIN
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(webhook_ids) ORDER BY e.webhook_id FOR UPDATE;
    -- a 410 switches its webhook off: that row next, before any delivery row
    PERFORM 1 FROM webhook w
     WHERE w.id IN (SELECT g.id FROM unnest(webhook_ids, gone) AS g(id, gone) WHERE g.gone)
     ORDER BY w.id FOR NO KEY UPDATE;

    WITH outcome AS (
        SELECT * FROM unnest(delivery_ids, claim_tokens, new_statuses, retry_ms, sent, attempted_at, duration_ms,
                             status_codes, errors, excerpts, pause_ms, gone)
            AS o(delivery_id, claim_token, new_status, retry_ms, sent, attempted_at, duration_ms, status_code,
                 error, excerpt, pause_ms, gone)),
    recorded AS (
        UPDATE delivery d
           SET status = o.new_status,
               next_attempt_at = CASE WHEN o.new_status = 0
                                      THEN clock_timestamp() + o.retry_ms * interval '1 millisecond'
                                      ELSE d.next_attempt_at END,
               attempt_count = CASE WHEN o.sent THEN d.attempt_count ELSE d.attempt_count - 1 END,
               -- a 410 holds the delivery: it keeps one attempt for when the webhook is switched on again
               attempt_limit = CASE WHEN o.gone THEN greatest(d.attempt_limit, d.attempt_count + 1)
                                    ELSE d.attempt_limit END,
               claim_token = NULL, lease_until = NULL,
               finished_at = CASE WHEN o.new_status IN (2, 3) THEN clock_timestamp() END
          FROM outcome o
         WHERE d.id = o.delivery_id AND d.claim_token = o.claim_token AND d.status = 1
     RETURNING d.id, d.webhook_id, d.attempt_count, d.status, d.next_attempt_at, o.sent, o.attempted_at,
               o.duration_ms, o.status_code, o.error, o.excerpt, o.pause_ms, o.gone),
    attempts AS (
        INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, status_code, error,
                                      response_excerpt)
        SELECT r.id, r.attempt_count, r.attempted_at, r.duration_ms, r.status_code, r.error, r.excerpt
          FROM recorded r WHERE r.sent)
    SELECT array_agg(r.id), array_agg(r.webhook_id), array_agg(r.status),
           array_agg(CASE WHEN r.pause_ms IS NOT NULL THEN clock_timestamp() + r.pause_ms * interval '1 millisecond' END),
           array_agg(r.webhook_id) FILTER (WHERE r.status = 0),
           array_agg(r.next_attempt_at) FILTER (WHERE r.status = 0),
           array_agg(DISTINCT r.webhook_id) FILTER (WHERE r.gone)
      INTO ended_ids, ended_endpoints, ended_statuses, ended_pauses, retry_endpoints, retry_due, gone_endpoints
      FROM recorded r;

    IF ended_ids IS NULL THEN
        RETURN;
    END IF;
    IF gone_endpoints IS NOT NULL THEN
        UPDATE webhook SET status = 0, updated_on = clock_timestamp() WHERE id = ANY(gone_endpoints) AND webhook.status = 1;
    END IF;
    PERFORM herald_release_slots(ended_endpoints, array_fill(1, ARRAY[cardinality(ended_endpoints)]), ended_pauses);
    IF retry_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(retry_endpoints, retry_due);
    END IF;
    RETURN QUERY SELECT * FROM unnest(ended_ids, ended_statuses);
END $$;

-- Takes back claims whose lease ran out (their replica died or stalled): each such attempt is logged as
-- 'lease expired' and counts (a delivery that kills its worker cannot loop forever); the delivery is ready again
-- at once, or FAILED when that was its last attempt. Answers how many were taken back and how many of them failed.
CREATE FUNCTION herald_reap_expired_leases(max_rows int, lease_ms bigint)
RETURNS TABLE (reaped int, failed int)
LANGUAGE plpgsql AS $$
DECLARE
    candidates bigint[];
    endpoints bigint[];
    reset_ids bigint[];
    reset_endpoints bigint[];
    ready_endpoints bigint[];
    failed_count int;
BEGIN
    SELECT array_agg(d.id), array_agg(DISTINCT d.webhook_id) INTO candidates, endpoints
      FROM (SELECT id, webhook_id FROM delivery
             WHERE delivery.status = 1 AND lease_until < clock_timestamp()
             ORDER BY id LIMIT max_rows) d;
    IF candidates IS NULL THEN
        RETURN QUERY SELECT 0, 0;
        RETURN;
    END IF;
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(endpoints) ORDER BY e.webhook_id FOR UPDATE;

    WITH reset AS (
        UPDATE delivery d
           SET status = CASE WHEN d.attempt_count >= d.attempt_limit THEN 3 ELSE 0 END,
               finished_at = CASE WHEN d.attempt_count >= d.attempt_limit THEN clock_timestamp() END,
               next_attempt_at = clock_timestamp(),
               claim_token = NULL, lease_until = NULL
         WHERE d.id = ANY(candidates) AND d.status = 1 AND d.lease_until < clock_timestamp()  -- not completed meanwhile
     RETURNING d.id, d.webhook_id, d.attempt_count, d.status),
    logged AS (
        INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, error)
        SELECT id, attempt_count, clock_timestamp() - lease_ms * interval '1 millisecond', 0, 'lease expired'
          FROM reset
            ON CONFLICT DO NOTHING)
    SELECT array_agg(id), array_agg(webhook_id), array_agg(webhook_id) FILTER (WHERE reset.status = 0),
           count(*) FILTER (WHERE reset.status = 3)
      INTO reset_ids, reset_endpoints, ready_endpoints, failed_count
      FROM reset;
    IF reset_ids IS NULL THEN
        RETURN QUERY SELECT 0, 0;
        RETURN;
    END IF;
    PERFORM herald_release_slots(reset_endpoints, array_fill(1, ARRAY[cardinality(reset_endpoints)]),
                                 array_fill(NULL::timestamptz, ARRAY[cardinality(reset_endpoints)]));
    IF ready_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(ready_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(ready_endpoints)]));
    END IF;
    RETURN QUERY SELECT cardinality(reset_ids), failed_count;
END $$;

-- Fans out the oldest events not yet fanned out: one delivery per active webhook of the event's provider, at most
-- `max_deliveries` in one call, so a provider with many webhooks takes several calls and never holds thousands of
-- endpoint rows at once. Events are taken with SKIP LOCKED (replicas share the work); an event cut short keeps
-- its place (fan_out_cursor) and is finished by the next call. Endpoint rows are woken (locked, in id order)
-- before the deliveries are inserted. Answers the events finished, the deliveries created, and whether more may
-- be waiting.
CREATE FUNCTION herald_fan_out(max_events int, max_deliveries int, attempts_per_delivery int)
RETURNS TABLE (events int, deliveries int, more boolean)
LANGUAGE plpgsql AS $$
DECLARE
    batch bigint[];
    target_events bigint[];
    target_webhooks bigint[];
    taken int;
    cut_event bigint;
    finished int;
BEGIN
    SELECT array_agg(b.id ORDER BY b.id) INTO batch
      FROM (SELECT id FROM event WHERE fanned_out_at IS NULL ORDER BY id LIMIT max_events FOR UPDATE SKIP LOCKED) b;
    IF batch IS NULL THEN
        RETURN QUERY SELECT 0, 0, false;
        RETURN;
    END IF;

    -- one more target than may be taken, to learn where the batch is cut
    SELECT array_agg(t.event_id ORDER BY t.event_id, t.webhook_id), array_agg(t.webhook_id ORDER BY t.event_id, t.webhook_id)
      INTO target_events, target_webhooks
      FROM (SELECT e.id AS event_id, w.id AS webhook_id
              FROM event e CROSS JOIN LATERAL (
                   SELECT w.id FROM webhook w
                    WHERE w.provider_id = e.provider_id AND w.status = 1 AND w.id > e.fan_out_cursor
                    ORDER BY w.id LIMIT max_deliveries + 1) w
             WHERE e.id = ANY(batch)
             ORDER BY e.id, w.id
             LIMIT max_deliveries + 1) t;
    taken := least(coalesce(cardinality(target_events), 0), max_deliveries);
    IF coalesce(cardinality(target_events), 0) > max_deliveries THEN
        cut_event := target_events[max_deliveries + 1];
    END IF;

    IF taken > 0 THEN
        PERFORM herald_wake_endpoints(target_webhooks[1:taken], array_fill(clock_timestamp(), ARRAY[taken]));
        INSERT INTO delivery (event_id, webhook_id, attempt_limit)
        SELECT t.event_id, t.webhook_id, attempts_per_delivery
          FROM unnest(target_events[1:taken], target_webhooks[1:taken]) AS t(event_id, webhook_id);
    END IF;

    UPDATE event SET fanned_out_at = clock_timestamp()
     WHERE id = ANY(batch) AND (cut_event IS NULL OR id < cut_event);
    GET DIAGNOSTICS finished = ROW_COUNT;
    IF cut_event IS NOT NULL THEN
        UPDATE event SET fan_out_cursor = (SELECT max(t.webhook_id)
                                             FROM unnest(target_events[1:taken], target_webhooks[1:taken])
                                                  AS t(event_id, webhook_id)
                                            WHERE t.event_id = cut_event)
         WHERE id = cut_event AND EXISTS (SELECT 1 FROM unnest(target_events[1:taken]) AS t(event_id)
                                           WHERE t.event_id = cut_event);
    END IF;
    IF taken > 0 THEN
        PERFORM pg_notify('herald_dispatch', '');
    END IF;
    RETURN QUERY SELECT finished, taken, cut_event IS NOT NULL OR cardinality(batch) >= max_events;
END $$;

-- Sends FAILED deliveries again (replay): `attempts` fresh attempts each, due at once, endpoints woken. Only the
-- candidates still FAILED are touched. Answers the ids replayed.
CREATE FUNCTION herald_replay(candidates bigint[], attempts int) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    endpoints bigint[];
    replayed_ids bigint[];
    replayed_endpoints bigint[];
BEGIN
    SELECT array_agg(DISTINCT webhook_id) INTO endpoints FROM delivery WHERE id = ANY(candidates) AND status = 3;
    IF endpoints IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(endpoints) ORDER BY e.webhook_id FOR UPDATE;
    WITH replayed AS (
        UPDATE delivery d
           SET status = 0, attempt_limit = d.attempt_count + attempts,
               next_attempt_at = clock_timestamp(), finished_at = NULL
         WHERE d.id = ANY(candidates) AND d.status = 3
     RETURNING d.id, d.webhook_id)
    SELECT array_agg(id ORDER BY id), array_agg(webhook_id) INTO replayed_ids, replayed_endpoints FROM replayed;
    IF replayed_ids IS NULL THEN
        RETURN;
    END IF;
    PERFORM herald_wake_endpoints(replayed_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(replayed_endpoints)]));
    PERFORM pg_notify('herald_dispatch', '');
    RETURN QUERY SELECT unnest(replayed_ids);
END $$;
