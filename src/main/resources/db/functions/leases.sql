-- Leases: claims whose lease ran out (a replica died or froze) are taken back, at most `max_rows` a call. A delivery
-- with attempts left is due again at once; one whose last attempt it was ends FAILED (and is
-- announced to the tenant as delivery.exhausted, operational.sql). Each gets a
-- "lease expired" attempt in the log; its slot is given back at its endpoint and at the receiver its claim charged.
-- Deliveries in flight (claimed, status 1), found through their endpoints: a claim charges its endpoint's in_flight
-- in the statement that claims, so every delivery in flight has an endpoint with in_flight > 0, and the queue index
-- leads from there to it. The hot table indexes no column a claim changes (V20: claims are heap-only updates), so no
-- index finds them by status or lease.
CREATE OR REPLACE FUNCTION herald_in_flight()
RETURNS TABLE (id bigint, webhook_id bigint, receiver_id bigint, lease_until timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT d.id, d.webhook_id, d.receiver_id, d.lease_until
      FROM endpoint_state e
      JOIN delivery d ON d.webhook_id = e.webhook_id
     WHERE e.in_flight > 0 AND d.status = 1
$$;
-- every endpoint row is read: one scan of that small table, not an index probe for each (the reaper, its caller,
-- turns scans off for its own statements)
ALTER FUNCTION herald_in_flight() SET enable_seqscan = on;

CREATE OR REPLACE FUNCTION herald_reap_expired_leases(max_rows int, lease_ms bigint)
RETURNS TABLE (reaped int, failed int)
LANGUAGE plpgsql AS $$
DECLARE
    candidates bigint[];
    endpoints bigint[];
    reset_ids bigint[];
    reset_endpoints bigint[];
    reset_receivers bigint[];
    ready_endpoints bigint[];
    failed_count int;
    exhausted_endpoints bigint[];
    exhausted_details jsonb[];
    ordered_endpoints bigint[];
BEGIN
    SELECT array_agg(d.id), array_agg(DISTINCT d.webhook_id) INTO candidates, endpoints
      FROM (SELECT f.id, f.webhook_id FROM herald_in_flight() f
             WHERE f.lease_until < clock_timestamp()
             ORDER BY f.id LIMIT max_rows) d;
    IF candidates IS NULL THEN
        RETURN QUERY SELECT 0, 0;
        RETURN;
    END IF;
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(endpoints) ORDER BY e.webhook_id FOR UPDATE;

    WITH retried AS (
        UPDATE delivery d
           SET status = 0, next_attempt_at = clock_timestamp(), claim_token = NULL, lease_until = NULL
         WHERE d.id = ANY(candidates) AND d.status = 1 AND d.lease_until < clock_timestamp()  -- not completed meanwhile
           AND d.attempt_count < d.attempt_limit
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               0 AS status, d.receiver_id, NULL AS ordering_key),
    ended AS (
        DELETE FROM delivery d
         WHERE d.id = ANY(candidates) AND d.status = 1 AND d.lease_until < clock_timestamp()
           AND d.attempt_count >= d.attempt_limit
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               d.receiver_id, d.ordering_key),
    reset AS (
        SELECT * FROM retried
        UNION ALL SELECT id, event_id, event_accepted_at, webhook_id, application_id, attempt_count, created_at, 3,
                         receiver_id, ordering_key FROM ended),
    logged AS (
        -- the attempt the lease ran out on; the last one's row carries the outcome. Not the receiver's doing: not
        -- counted in health (succeeded NULL).
        INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at, logged_at,
                                  logged_by, attempted_at, application_id, attempt_count, duration_ms, status, error)
        SELECT id, event_id, webhook_id, event_accepted_at, created_at, clock_timestamp(), herald_transaction_id(),
               clock_timestamp() - lease_ms * interval '1 millisecond', application_id, attempt_count, 0, reset.status,
               'lease expired'
          FROM reset)
    SELECT array_agg(id), array_agg(webhook_id), array_agg(webhook_id) FILTER (WHERE reset.status = 0),
           count(*) FILTER (WHERE reset.status = 3), array_agg(receiver_id),
           array_agg(webhook_id) FILTER (WHERE reset.status = 3),
           array_agg(jsonb_build_object('deliveryId', id::text, 'eventId', event_id::text, 'attempts', attempt_count,
                                        'lastStatusCode', NULL, 'lastError', 'lease expired'))
               FILTER (WHERE reset.status = 3),
           -- an ordered delivery that ended lets the next of its notification go
           array_agg(webhook_id) FILTER (WHERE reset.status = 3 AND ordering_key IS NOT NULL)
      INTO reset_ids, reset_endpoints, ready_endpoints, failed_count, reset_receivers, exhausted_endpoints,
           exhausted_details, ordered_endpoints
      FROM reset;
    IF reset_ids IS NULL THEN
        RETURN QUERY SELECT 0, 0;
        RETURN;
    END IF;
    PERFORM herald_release_slots(reset_endpoints, array_fill(1, ARRAY[cardinality(reset_endpoints)]),
                                 array_fill(NULL::timestamptz, ARRAY[cardinality(reset_endpoints)]));
    PERFORM herald_release_receivers(reset_receivers, array_fill(NULL::timestamptz, ARRAY[cardinality(reset_receivers)]));
    ready_endpoints := ready_endpoints || ordered_endpoints;
    IF ready_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(ready_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(ready_endpoints)]));
    END IF;
    IF exhausted_endpoints IS NOT NULL THEN
        PERFORM herald_announce(exhausted_endpoints,
                                array_fill('delivery.exhausted'::text, ARRAY[cardinality(exhausted_endpoints)]),
                                exhausted_details);
    END IF;
    RETURN QUERY SELECT cardinality(reset_ids), failed_count;
END $$;
ALTER FUNCTION herald_reap_expired_leases(int, bigint) SET enable_seqscan = off;
