-- Operational events: what Herald tells a tenant about its own webhooks, as events of the application's operational
-- provider (V27), fanned out to the operational webhooks subscribed to their type and delivered like any other
-- event: signed, capped, retried, logged. Bodies follow the Standard Webhooks payload shape:
-- {"type": ..., "timestamp": ..., "data": {"webhookId": ..., "providerId": ..., ...}}. The types:
--   webhook.failing     a run of failures reached herald.delivery.failing-after (the health job)
--   webhook.recovered   a success after an announced run of failures (the health job)
--   webhook.disabled    Herald switched a webhook off: auto-disable ("failing") or a 410 Gone ("gone")
--   delivery.exhausted  a delivery FAILED for good (completion, or a lease that expired on its last attempt)
-- Nothing is announced about an operational webhook itself: a failing operational receiver cannot feed itself.

-- Records one operational event per entry: the webhook it is about, its type and what its data adds to the webhook's
-- and provider's ids. Only for webhooks that are not operational, of applications with an active operational webhook
-- subscribed to the type: with nobody listening nothing is written (not even the outbox's notification, which an
-- INSERT of no rows would still send). Answers the webhooks it recorded an event about.
CREATE OR REPLACE FUNCTION herald_announce(webhook_ids bigint[], types text[], details jsonb[]) RETURNS bigint[]
LANGUAGE plpgsql AS $$
DECLARE
    about bigint[];
    providers int[];
    applications int[];
    payloads json[];
    event_types text[];
BEGIN
    SELECT array_agg(w.id ORDER BY a.n), array_agg(o.id ORDER BY a.n), array_agg(o.application_id ORDER BY a.n),
           array_agg(json_build_object('type', a.type,
                                       'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC',
                                                            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                       'data', jsonb_build_object('webhookId', w.id::text, 'providerId', w.provider_id)
                                               || coalesce(a.detail, '{}')) ORDER BY a.n),
           array_agg(a.type ORDER BY a.n)
      INTO about, providers, applications, payloads, event_types
      FROM unnest(webhook_ids, types, details) WITH ORDINALITY AS a(webhook_id, type, detail, n)
      JOIN webhook w ON w.id = a.webhook_id
      JOIN provider p ON p.id = w.provider_id AND NOT p.operational
      JOIN provider o ON o.application_id = p.application_id AND o.operational
     WHERE EXISTS (SELECT 1 FROM webhook s
                    WHERE s.provider_id = o.id AND s.status = 1 AND herald_webhook_takes_type(s.event_types, a.type));
    IF about IS NULL THEN
        RETURN '{}';
    END IF;
    INSERT INTO event (provider_id, application_id, payload, event_type)
    SELECT * FROM unnest(providers, applications, payloads, event_types);
    RETURN about;
END $$;

-- After a fold of the health job, for the webhooks of `webhook_ids`: webhook.recovered for each whose announced run
-- of failures a success ended, then webhook.failing for each whose run reached `failing_after` failures and was not
-- announced yet (a run is marked announced only when an event was written: one that began while nobody listened is
-- announced when an operational webhook appears). The caller holds the health lock.
CREATE OR REPLACE FUNCTION herald_announce_health(webhook_ids bigint[], failing_after int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    details jsonb[];
    announced bigint[];
BEGIN
    SELECT array_agg(h.webhook_id ORDER BY h.webhook_id),
           array_agg(jsonb_build_object('failingSince', herald_utc_text(h.announced_failing_since),
                                        'recoveredAt', herald_utc_text(h.last_success_at)) ORDER BY h.webhook_id)
      INTO ids, details
      FROM endpoint_health h
     WHERE h.webhook_id = ANY(webhook_ids) AND h.announced_failing_since IS NOT NULL
       AND h.last_success_at > h.announced_failing_since;
    IF ids IS NOT NULL THEN
        PERFORM herald_announce(ids, array_fill('webhook.recovered'::text, ARRAY[cardinality(ids)]), details);
        UPDATE endpoint_health SET announced_failing_since = NULL WHERE webhook_id = ANY(ids);
    END IF;
    -- a run is new when its start is not the one announced (the owner switching a webhook on starts a new run)
    SELECT array_agg(h.webhook_id ORDER BY h.webhook_id),
           array_agg(jsonb_build_object('failingSince', herald_utc_text(h.failing_since),
                                        'consecutiveFailures', h.consecutive_failures,
                                        'lastError', h.last_error) ORDER BY h.webhook_id)
      INTO ids, details
      FROM endpoint_health h
     WHERE h.webhook_id = ANY(webhook_ids) AND h.failing_since IS NOT NULL
       AND h.announced_failing_since IS DISTINCT FROM h.failing_since AND h.consecutive_failures >= failing_after;
    IF ids IS NOT NULL THEN
        announced := herald_announce(ids, array_fill('webhook.failing'::text, ARRAY[cardinality(ids)]), details);
        UPDATE endpoint_health SET announced_failing_since = failing_since WHERE webhook_id = ANY(announced);
    END IF;
END $$;
