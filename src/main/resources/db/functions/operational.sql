-- Operational events: what Herald tells a tenant about its own webhooks, as events of the application's operational
-- provider (V27), fanned out to the operational webhooks subscribed to their type and delivered like any other
-- event: signed, capped, retried, logged. Bodies follow the Standard Webhooks payload shape:
-- {"type": ..., "timestamp": ..., "data": {"webhookId": ..., "providerId": ..., ...}}. The types:
--   webhook.failing     a run of failures reached herald.operational.failing-after (the health job)
--   webhook.recovered   a success after an announced run of failures (the health job)
--   webhook.disabled    Herald switched a webhook off: auto-disable ("failing") or a 410 Gone ("gone")
--   delivery.exhausted  a delivery FAILED for good (completion, or a lease that expired on its last attempt)
-- Nothing is announced about an operational webhook itself: a failing operational receiver cannot feed itself.

-- Whether a webhook subscribed to `event_types` (NULL: every event of its provider) takes an event of `event_type`.
-- Fan-out and recovery both ask it.
CREATE OR REPLACE FUNCTION herald_webhook_takes_type(event_types text[], event_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT event_types IS NULL OR event_type = ANY(event_types)
$$;

-- Records one operational event per entry: the webhook it is about, its type and what its data adds to the webhook's
-- and provider's ids. Only for webhooks that are not operational, of applications with an active operational webhook
-- subscribed to the type (nobody listening, nothing written). Answers how many it recorded.
CREATE OR REPLACE FUNCTION herald_announce(webhook_ids bigint[], types text[], details jsonb[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    recorded int;
BEGIN
    INSERT INTO event (provider_id, application_id, payload, event_type)
    SELECT o.id, o.application_id,
           json_build_object('type', a.type,
                             'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                             'data', jsonb_build_object('webhookId', w.id::text, 'providerId', w.provider_id)
                                     || coalesce(a.detail, '{}')),
           a.type
      FROM unnest(webhook_ids, types, details) WITH ORDINALITY AS a(webhook_id, type, detail, n)
      JOIN webhook w ON w.id = a.webhook_id
      JOIN provider p ON p.id = w.provider_id AND NOT p.operational
      JOIN provider o ON o.application_id = p.application_id AND o.operational
     WHERE EXISTS (SELECT 1 FROM webhook s
                    WHERE s.provider_id = o.id AND s.status = 1 AND herald_webhook_takes_type(s.event_types, a.type))
     ORDER BY a.n;
    GET DIAGNOSTICS recorded = ROW_COUNT;
    RETURN recorded;
END $$;

-- After a fold of the health job: webhook.recovered for each webhook of `webhook_ids` whose announced run of failures
-- a success ended, then webhook.failing for each whose run reached `failing_after` failures and was not announced
-- yet. The caller holds the health lock.
CREATE OR REPLACE FUNCTION herald_announce_health(webhook_ids bigint[], failing_after int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    details jsonb[];
BEGIN
    WITH recovered AS (
        UPDATE endpoint_health h SET announced_failing_since = NULL
          FROM (SELECT h.webhook_id, h.announced_failing_since AS since FROM endpoint_health h
                 WHERE h.webhook_id = ANY(webhook_ids) AND h.announced_failing_since IS NOT NULL
                   AND h.last_success_at > h.announced_failing_since) r
         WHERE h.webhook_id = r.webhook_id
     RETURNING h.webhook_id, r.since, h.last_success_at)
    SELECT array_agg(r.webhook_id ORDER BY r.webhook_id),
           array_agg(jsonb_build_object('failingSince', herald_utc_text(r.since),
                                        'recoveredAt', herald_utc_text(r.last_success_at)) ORDER BY r.webhook_id)
      INTO ids, details FROM recovered r;
    IF ids IS NOT NULL THEN
        PERFORM herald_announce(ids, array_fill('webhook.recovered'::text, ARRAY[cardinality(ids)]), details);
    END IF;
    WITH failing AS (
        UPDATE endpoint_health h SET announced_failing_since = h.failing_since
         WHERE h.webhook_id = ANY(webhook_ids) AND h.announced_failing_since IS NULL
           AND h.failing_since IS NOT NULL AND h.consecutive_failures >= failing_after
     RETURNING h.webhook_id, h.failing_since, h.consecutive_failures, h.last_error)
    SELECT array_agg(f.webhook_id ORDER BY f.webhook_id),
           array_agg(jsonb_build_object('failingSince', herald_utc_text(f.failing_since),
                                        'consecutiveFailures', f.consecutive_failures,
                                        'lastError', f.last_error) ORDER BY f.webhook_id)
      INTO ids, details FROM failing f;
    IF ids IS NOT NULL THEN
        PERFORM herald_announce(ids, array_fill('webhook.failing'::text, ARRAY[cardinality(ids)]), details);
    END IF;
END $$;
