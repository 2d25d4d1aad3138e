-- Replay: FAILED deliveries of an application sent again. They go back to the hot table with the
-- same id (the same webhook-id), a fresh round of attempts each (as many as the webhook's own retry schedule gives,
-- else `attempts`), due at once, endpoints woken. Only candidates still FAILED, of that application and finished
-- since `not_before` (within retention), move. Answers the ids moved.
CREATE OR REPLACE FUNCTION herald_replay(p_application int, candidates bigint[], not_before timestamptz, attempts int)
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
    endpoints bigint[];
    replayed_ids bigint[];
    replayed_endpoints bigint[];
BEGIN
    SELECT array_agg(DISTINCT l.webhook_id) INTO endpoints FROM delivery_log l
     WHERE l.application_id = p_application AND l.delivery_id = ANY(candidates) AND l.status = 3
       AND l.logged_at >= not_before;
    IF endpoints IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(endpoints) ORDER BY e.webhook_id FOR UPDATE;
    WITH moved AS (
        -- its last attempt stays in the log, now one its delivery went on after
        UPDATE delivery_log l SET status = 0
         WHERE l.application_id = p_application AND l.delivery_id = ANY(candidates) AND l.status = 3
           AND l.logged_at >= not_before
     RETURNING l.delivery_id AS id, l.event_id, l.event_accepted_at, l.webhook_id, l.application_id, l.attempt_count,
               l.created_at),
    revived AS (
        INSERT INTO delivery (id, event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
                              attempt_limit, next_attempt_at, created_at, ordering_key)
        SELECT m.id, m.event_id, m.event_accepted_at, m.webhook_id, m.application_id, 0, m.attempt_count,
               -- a fresh round: the webhook's own schedule's attempts, else `attempts`
               m.attempt_count + coalesce(cardinality(w.retry_schedule_ms) + 1, attempts), clock_timestamp(), m.created_at,
               -- ordered again, among the deliveries of its notification still waiting, by its event
               CASE WHEN w.ordering = 1 THEN (SELECT herald_ordering_key(e.payload) FROM event e
                                               WHERE e.id = m.event_id AND e.accepted_at = m.event_accepted_at) END
          FROM moved m JOIN webhook w ON w.id = m.webhook_id
     RETURNING id, webhook_id)
    SELECT array_agg(id ORDER BY id), array_agg(webhook_id) INTO replayed_ids, replayed_endpoints FROM revived;
    IF replayed_ids IS NULL THEN
        RETURN;
    END IF;
    PERFORM herald_wake_endpoints(replayed_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(replayed_endpoints)]));
    PERFORM pg_notify('herald_dispatch', '');
    RETURN QUERY SELECT unnest(replayed_ids);
END $$;

-- Recovery: deliveries to one webhook for the events it missed (it was off, or they were fanned out before it took
-- them), among the events of its provider accepted from `p_since` to `p_until` whose ids are in (`from_id`, `to_id`]
-- (the caller walks the window a slice of ids at a time, so that each statement reads a bounded part of the
-- outbox). Events it takes (its filters), already fanned out (one still waiting is fanned out as usual), not set
-- aside, and without a delivery to it, current or in the history. The webhook's endpoint row is locked first, so
-- two recoveries of one webhook do not make the same delivery twice. The deliveries go through the caps like any
-- other; a webhook that is off holds them. Answers how many it made; none when the webhook is not the
-- application's.
CREATE OR REPLACE FUNCTION herald_recover_webhook(p_webhook bigint, p_application int, p_since timestamptz,
                                                  p_until timestamptz, from_id bigint, to_id bigint, attempts int)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    hook record;
    made int;
BEGIN
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = p_webhook FOR UPDATE;
    SELECT w.id, w.provider_id, w.channel_types, w.delivery_statuses, w.event_types, w.retry_schedule_ms, w.ordering
      INTO hook
      FROM webhook w JOIN provider p ON p.id = w.provider_id
     WHERE w.id = p_webhook AND p.application_id = p_application;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id, attempt_limit, ordering_key)
    SELECT e.id, e.accepted_at, hook.id, p_application, coalesce(cardinality(hook.retry_schedule_ms) + 1, attempts),
           CASE WHEN hook.ordering = 1 THEN herald_ordering_key(e.payload) END
      FROM event e
     WHERE e.id > from_id AND e.id <= to_id AND e.accepted_at >= p_since AND e.accepted_at <= p_until
       AND e.provider_id = hook.provider_id AND e.fan_out_error IS NULL
       AND NOT EXISTS (SELECT 1 FROM event_pending w WHERE w.application_id = e.application_id AND w.event_id = e.id)
       AND herald_webhook_takes(hook.channel_types, hook.delivery_statuses,
                                herald_json_int(e.payload, 'channelType'), herald_json_int(e.payload, 'deliveryStatus'))
       AND herald_webhook_takes_type(hook.event_types, e.event_type)
       -- looked up for each event, by the event: plans made while the statistics said the hot table was empty read
       -- the webhook's whole backlog for each slice or each event instead, or compared each event with each of its
       -- rows. `OFFSET 0` keeps this a lookup per event (not a join), `+ 0` the webhook out of its index condition.
       AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.event_id = e.id AND d.webhook_id + 0 = hook.id OFFSET 0)
       AND NOT EXISTS (SELECT 1 FROM delivery_log l WHERE l.event_id = e.id AND l.webhook_id = hook.id)
     ORDER BY e.id;
    GET DIAGNOSTICS made = ROW_COUNT;
    IF made > 0 THEN
        PERFORM herald_wake_endpoints(ARRAY[hook.id], ARRAY[clock_timestamp()]);
        PERFORM pg_notify('herald_dispatch', '');
    END IF;
    RETURN made;
END $$;

-- The ids of the events accepted from `p_since` to `p_until` lie in (`first_id` - 1, `last_id`]: the window a
-- recovery walks. NULLs when there are none.
CREATE OR REPLACE FUNCTION herald_event_ids_between(p_since timestamptz, p_until timestamptz,
                                                    OUT first_id bigint, OUT last_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT min(e.id), max(e.id) FROM event e WHERE e.accepted_at >= p_since AND e.accepted_at <= p_until
$$;
