-- Per-webhook settings (README, "Per-webhook settings"): a description, and filters on the notification's
-- channelType and deliveryStatus that fan-out applies (NULL: every event). The OsmoX-shaped form of the event-type
-- filters other products offer ("only tell me about failed notifications").
ALTER TABLE webhook ADD COLUMN description text,
                    ADD COLUMN channel_types int[],
                    ADD COLUMN delivery_statuses int[];

-- An integer member of a notification object, or NULL when it is missing, not an integer, or the payload is not
-- an object (a producer may INSERT any JSON): never an error, so one odd event cannot stop a fan-out batch.
CREATE FUNCTION herald_json_int(p_payload json, p_key text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(p_payload) = 'object' AND json_typeof(p_payload -> p_key) = 'number'
                     AND (p_payload ->> p_key) ~ '^-?[0-9]{1,9}$'
                THEN (p_payload ->> p_key)::int END
$$;

-- Fan-out as in V6, skipping the webhooks whose filters the event does not pass.
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
-- CREATE OR REPLACE resets the function's settings: the hot path still finds its rows by key (V6)
ALTER FUNCTION herald_fan_out(int, int, int) SET enable_seqscan = off;
