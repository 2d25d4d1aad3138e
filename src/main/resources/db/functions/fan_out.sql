-- Fan-out: events in the outbox become deliveries, one per active webhook of the event's provider whose filters
-- the event passes.

-- Wakes dispatchers the moment an outbox INSERT commits (one notification per statement).
CREATE OR REPLACE FUNCTION herald_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('herald_outbox', '');
    RETURN NULL;
END $$;

-- An integer member of a notification object, or NULL when it is missing, not an integer, or the payload is not an
-- object (a producer may INSERT any JSON).
CREATE OR REPLACE FUNCTION herald_json_int(p_payload json, p_key text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(p_payload) = 'object' AND json_typeof(p_payload -> p_key) = 'number'
                     AND (p_payload ->> p_key) ~ '^-?[0-9]{1,9}$'
                THEN (p_payload ->> p_key)::int END
$$;

-- Fans out a batch of events: at most `max_events` events (SKIP LOCKED: replicas share the work) and at most
-- `max_deliveries` deliveries a call. An event on a provider with more webhooks than that is fanned out over several
-- calls (its fan_out_cursor: the last webhook id done). Endpoints are woken before their deliveries are inserted;
-- other replicas hear of the new work on herald_dispatch. Answers the events finished, the deliveries made, and
-- whether more may be waiting. The hot path finds its rows by key, and statistics mislead it (a partition that just
-- became current reads as nearly empty until analyzed): it never scans.
CREATE OR REPLACE FUNCTION herald_fan_out(max_events int, max_deliveries int, attempts_per_delivery int)
RETURNS TABLE (events int, deliveries int, more boolean)
LANGUAGE plpgsql AS $$
DECLARE
    batch_ids bigint[];
    batch_accepted timestamptz[];
    target_events bigint[];
    target_webhooks bigint[];
    taken int;
    cut_event bigint;
    finished int;
BEGIN
    SELECT array_agg(b.id ORDER BY b.id), array_agg(b.accepted_at ORDER BY b.id) INTO batch_ids, batch_accepted
      FROM (SELECT id, accepted_at FROM event WHERE fanned_out_at IS NULL
             ORDER BY id LIMIT max_events FOR UPDATE SKIP LOCKED) b;
    IF batch_ids IS NULL THEN
        RETURN QUERY SELECT 0, 0, false;
        RETURN;
    END IF;

    -- one more target than may be taken, to learn where the batch is cut
    SELECT array_agg(t.event_id ORDER BY t.event_id, t.webhook_id),
           array_agg(t.webhook_id ORDER BY t.event_id, t.webhook_id)
      INTO target_events, target_webhooks
      FROM (SELECT e.id AS event_id, w.id AS webhook_id
              FROM unnest(batch_ids, batch_accepted) AS b(id, accepted_at)
              JOIN event e ON e.id = b.id AND e.accepted_at = b.accepted_at
              -- read once per event, not once per webhook
              CROSS JOIN LATERAL (SELECT herald_json_int(e.payload, 'channelType') AS channel_type,
                                         herald_json_int(e.payload, 'deliveryStatus') AS delivery_status) f
              CROSS JOIN LATERAL (
                   SELECT w.id FROM webhook w
                    WHERE w.provider_id = e.provider_id AND w.status = 1 AND w.id > e.fan_out_cursor
                      AND (w.channel_types IS NULL OR f.channel_type = ANY(w.channel_types))
                      AND (w.delivery_statuses IS NULL OR f.delivery_status = ANY(w.delivery_statuses))
                    ORDER BY w.id LIMIT max_deliveries + 1) w
             ORDER BY e.id, w.id
             LIMIT max_deliveries + 1) t;
    taken := least(coalesce(cardinality(target_events), 0), max_deliveries);
    IF coalesce(cardinality(target_events), 0) > max_deliveries THEN
        cut_event := target_events[max_deliveries + 1];
    END IF;

    IF taken > 0 THEN
        PERFORM herald_wake_endpoints(target_webhooks[1:taken], array_fill(clock_timestamp(), ARRAY[taken]));
        INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id, attempt_limit)
        SELECT t.event_id, b.accepted_at, t.webhook_id, p.application_id, attempts_per_delivery
          FROM unnest(target_events[1:taken], target_webhooks[1:taken]) AS t(event_id, webhook_id)
          JOIN unnest(batch_ids, batch_accepted) AS b(id, accepted_at) ON b.id = t.event_id
          JOIN webhook w ON w.id = t.webhook_id
          JOIN provider p ON p.id = w.provider_id;
    END IF;

    UPDATE event e SET fanned_out_at = clock_timestamp()
      FROM unnest(batch_ids, batch_accepted) AS b(id, accepted_at)
     WHERE e.id = b.id AND e.accepted_at = b.accepted_at AND (cut_event IS NULL OR e.id < cut_event);
    GET DIAGNOSTICS finished = ROW_COUNT;
    IF cut_event IS NOT NULL THEN
        UPDATE event e SET fan_out_cursor = (SELECT max(t.webhook_id)
                                               FROM unnest(target_events[1:taken], target_webhooks[1:taken])
                                                    AS t(event_id, webhook_id)
                                              WHERE t.event_id = cut_event)
          FROM unnest(batch_ids, batch_accepted) AS b(id, accepted_at)
         WHERE e.id = b.id AND e.accepted_at = b.accepted_at AND e.id = cut_event
           AND EXISTS (SELECT 1 FROM unnest(target_events[1:taken]) AS t(event_id) WHERE t.event_id = cut_event);
    END IF;
    IF taken > 0 THEN
        PERFORM pg_notify('herald_dispatch', '');
    END IF;
    RETURN QUERY SELECT finished, taken, cut_event IS NOT NULL OR cardinality(batch_ids) >= max_events;
END $$;
ALTER FUNCTION herald_fan_out(int, int, int) SET enable_seqscan = off;
