-- Replay: FAILED deliveries of an application sent again. They move from the history back to the hot table with the
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
    SELECT array_agg(DISTINCT h.webhook_id) INTO endpoints FROM delivery_history h
     WHERE h.application_id = p_application AND h.id = ANY(candidates) AND h.status = 3
       AND h.finished_at >= not_before;
    IF endpoints IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(endpoints) ORDER BY e.webhook_id FOR UPDATE;
    WITH moved AS (
        DELETE FROM delivery_history h
         WHERE h.application_id = p_application AND h.id = ANY(candidates) AND h.status = 3
           AND h.finished_at >= not_before
     RETURNING h.id, h.event_id, h.event_accepted_at, h.webhook_id, h.application_id, h.attempt_count, h.created_at),
    revived AS (
        INSERT INTO delivery (id, event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
                              attempt_limit, next_attempt_at, created_at)
        SELECT m.id, m.event_id, m.event_accepted_at, m.webhook_id, m.application_id, 0, m.attempt_count,
               -- a fresh round: the webhook's own schedule's attempts, else `attempts`
               m.attempt_count + coalesce(cardinality(w.retry_schedule_ms) + 1, attempts), clock_timestamp(), m.created_at
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
