-- Completion: a batch of attempt outcomes recorded in one call (the Completer).

-- Fenced by claim tokens: an outcome whose claim was taken over (its lease expired and another replica claimed the
-- delivery) changes nothing. A retry goes back to the queue at its due time; a final outcome (delivered, failed, a
-- 410 hold ended) takes the delivery out of the hot table. Every attempt sent is logged (delivery_log), the one that
-- ended its delivery with the outcome, and with what the webhook's health takes from it (herald_aggregate_health
-- folds it in later); a 410 switches its webhook off and holds the delivery with one attempt left; each attempt's slot is given back at its endpoint and at the receiver its claim charged, where a 429's pause is kept.
-- A delivery FAILED for good and a webhook switched off by a 410 are announced to the tenant (operational.sql). An
-- ordered delivery that ended wakes its endpoint at once: the next delivery of its notification may go now.
-- Endpoint rows are locked first, in id order, receiver rows last (the lock order, wake.sql).
--
-- A drained hot table keeps its pages, and ANALYZE then records pages holding no row: until the next ANALYZE the
-- planner expects one row however many come in, and a nested loop that reads the whole table for each outcome looks
-- as cheap as a probe of the primary key. So the statement that moves outcomes is planned with nested loops and merge
-- joins off (for that statement only: set before it, restored after it): outcomes and deliveries are joined by
-- hashing, linear in both, and deliveries are read by the primary key (`d.id = ANY(delivery_ids)`).
CREATE OR REPLACE FUNCTION herald_complete(
    delivery_ids bigint[], webhook_ids bigint[], claim_tokens bigint[], new_statuses smallint[], retry_ms bigint[],
    sent boolean[], attempt_age_ms bigint[], duration_ms int[], status_codes smallint[], errors text[],
    excerpts text[], pause_ms bigint[], gone boolean[], reached boolean[])
RETURNS TABLE (delivery_id bigint, status smallint)
LANGUAGE plpgsql AS $$
DECLARE
    ended_ids bigint[];
    ended_endpoints bigint[];
    ended_receivers bigint[];
    ended_pauses timestamptz[];
    ended_statuses smallint[];
    retry_endpoints bigint[];
    retry_due timestamptz[];
    gone_endpoints bigint[];
    exhausted_endpoints bigint[];
    exhausted_details jsonb[];
    ordered_endpoints bigint[];
    switched_off bigint[];
    switched_off_details jsonb[];
    saved_nestloop text;
    saved_mergejoin text;
BEGIN
    saved_nestloop := current_setting('enable_nestloop');
    saved_mergejoin := current_setting('enable_mergejoin');
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(webhook_ids) ORDER BY e.webhook_id FOR UPDATE;
    -- a 410 switches its webhook off: that row next, before any delivery row
    PERFORM 1 FROM webhook w
     WHERE w.id IN (SELECT g.id FROM unnest(webhook_ids, gone) AS g(id, gone) WHERE g.gone)
     ORDER BY w.id FOR NO KEY UPDATE;
    -- outcomes and deliveries joined by hashing, never pairwise: see this file's first lines
    PERFORM set_config('enable_nestloop', 'off', true), set_config('enable_mergejoin', 'off', true);
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
         WHERE o.new_status = 0 AND d.id = o.delivery_id AND d.claim_token = o.claim_token
           AND d.id = ANY(delivery_ids) AND d.status <> 0
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               0::smallint AS status, d.next_attempt_at, o.sent, o.age_ms, o.duration_ms, o.status_code, o.error,
               o.excerpt, o.pause_ms, o.gone, o.reached, d.receiver_id),
    finished AS (
        DELETE FROM delivery d USING outcome o
         WHERE o.new_status IN (2, 3) AND d.id = o.delivery_id
           AND d.claim_token = o.claim_token AND d.id = ANY(delivery_ids) AND d.status <> 0
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               o.new_status AS status, o.sent, o.age_ms, o.duration_ms, o.status_code, o.error, o.excerpt,
               o.pause_ms, o.gone, o.reached, d.receiver_id, d.ordering_key),
    recorded AS (
        SELECT r.id, r.event_id, r.event_accepted_at, r.webhook_id, r.application_id, r.attempt_count, r.created_at,
               r.status, r.next_attempt_at, r.sent, r.age_ms, r.duration_ms, r.status_code, r.error, r.excerpt,
               r.pause_ms, r.gone, r.reached, r.receiver_id, NULL AS ordering_key
          FROM retried r
        UNION ALL
        SELECT f.id, f.event_id, f.event_accepted_at, f.webhook_id, f.application_id, f.attempt_count, f.created_at,
               f.status, NULL, f.sent, f.age_ms, f.duration_ms, f.status_code, f.error, f.excerpt, f.pause_ms, f.gone,
               f.reached, f.receiver_id, f.ordering_key
          FROM finished f),
    logged AS (
        -- a row for each attempt sent; the one that ended its delivery carries the outcome (and a delivery that
        -- ended without a request has a row of its own)
        INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at, logged_at,
                                  logged_by, attempted_at, application_id, attempt_count, duration_ms, status,
                                  status_code, succeeded, error, response_excerpt)
        SELECT r.id, r.event_id, r.webhook_id, r.event_accepted_at, r.created_at, clock_timestamp(),
               herald_transaction_id(),
               CASE WHEN r.sent THEN clock_timestamp() - r.age_ms * interval '1 millisecond' END, r.application_id,
               r.attempt_count, CASE WHEN r.sent THEN r.duration_ms END, r.status,
               CASE WHEN r.sent THEN r.status_code END,
               -- health counts what the receiver did: not requests Herald could not or would not make
               CASE WHEN r.sent AND r.reached THEN r.status = 2 END,
               CASE WHEN r.sent THEN r.error END, CASE WHEN r.sent THEN r.excerpt END
          FROM recorded r WHERE r.sent OR r.status <> 0)
    SELECT array_agg(r.id), array_agg(r.webhook_id), array_agg(r.status),
           array_agg(CASE WHEN r.pause_ms IS NOT NULL THEN clock_timestamp() + r.pause_ms * interval '1 millisecond' END),
           array_agg(r.webhook_id) FILTER (WHERE r.status = 0),
           array_agg(r.next_attempt_at) FILTER (WHERE r.status = 0),
           array_agg(DISTINCT r.webhook_id) FILTER (WHERE r.gone),
           array_agg(r.receiver_id),
           array_agg(r.webhook_id) FILTER (WHERE r.status = 3),
           array_agg(jsonb_build_object('deliveryId', r.id::text, 'eventId', r.event_id::text,
                                        'attempts', r.attempt_count, 'lastStatusCode', r.status_code,
                                        'lastError', r.error)) FILTER (WHERE r.status = 3),
           array_agg(DISTINCT r.webhook_id) FILTER (WHERE r.ordering_key IS NOT NULL AND r.status <> 0)
      INTO ended_ids, ended_endpoints, ended_statuses, ended_pauses, retry_endpoints, retry_due, gone_endpoints,
           ended_receivers, exhausted_endpoints, exhausted_details, ordered_endpoints
      FROM recorded r;
    PERFORM set_config('enable_nestloop', saved_nestloop, true), set_config('enable_mergejoin', saved_mergejoin, true);

    IF ended_ids IS NULL THEN
        RETURN;
    END IF;
    IF gone_endpoints IS NOT NULL THEN
        WITH gone_off AS (
            UPDATE webhook SET status = 0, updated_on = clock_timestamp(),
                               disabled_reason = 'the receiver answered 410 Gone at '
                                                 || herald_utc_text(clock_timestamp())
             WHERE id = ANY(gone_endpoints) AND webhook.status = 1
            RETURNING webhook.id, webhook.disabled_reason)
        SELECT array_agg(g.id ORDER BY g.id),
               array_agg(jsonb_build_object('reason', 'gone', 'disabledReason', g.disabled_reason) ORDER BY g.id)
          INTO switched_off, switched_off_details FROM gone_off g;
        IF switched_off IS NOT NULL THEN
            PERFORM herald_announce(switched_off, array_fill('webhook.disabled'::text, ARRAY[cardinality(switched_off)]),
                                    switched_off_details);
        END IF;
    END IF;
    IF exhausted_endpoints IS NOT NULL THEN
        PERFORM herald_announce(exhausted_endpoints,
                                array_fill('delivery.exhausted'::text, ARRAY[cardinality(exhausted_endpoints)]),
                                exhausted_details);
    END IF;
    PERFORM herald_release_slots(ended_endpoints, array_fill(1, ARRAY[cardinality(ended_endpoints)]), ended_pauses);
    PERFORM herald_release_receivers(ended_receivers, ended_pauses);
    IF retry_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(retry_endpoints, retry_due);
    END IF;
    IF ordered_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(ordered_endpoints,
                                      array_fill(clock_timestamp(), ARRAY[cardinality(ordered_endpoints)]));
    END IF;
    RETURN QUERY SELECT * FROM unnest(ended_ids, ended_statuses);
END $$;
ALTER FUNCTION herald_complete(bigint[], bigint[], bigint[], smallint[], bigint[], boolean[], bigint[], int[],
                               smallint[], text[], text[], bigint[], boolean[], boolean[]) SET enable_seqscan = off;
