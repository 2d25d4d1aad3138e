-- Ingest: events into the outbox.

-- Takes in a group of requests at once (POST /v1/events without an Idempotency-Key, each as its own client sent it),
-- in one statement and one commit for them all. Requests are numbered by their position in `request_application`
-- (their application), `request_key_hash` (the hash of the key they presented, which the replica found to be the
-- application's, perhaps a while ago) and `request_traceparent` (their trace context, or NULL); events carry their
-- request's number (`event_request`), in the order sent. For each request, in turn: its key must still be its
-- application's, its events are taken from its application's allowance (herald_take_ingest_allowances;
-- applications in id order, the lock order of their rows), its providers must be its application's, then its
-- events go into the outbox. A request refused at any step stores nothing and holds up no other. Answers per
-- request: its allowance, the position within it of the first event whose provider is not its application's (NULL
-- when there is none), and its events' ids in the order sent (NULL when it stored nothing). A request whose key or
-- application is gone gets no row.
CREATE OR REPLACE FUNCTION herald_ingest(request_application int[], request_key_hash text[],
                                         request_traceparent text[], event_request int[], event_provider int[],
                                         event_payload text[], default_per_second int, default_per_request int)
RETURNS TABLE (request int, granted boolean, per_second int, per_request int, remaining int, full_in_ms bigint,
               retry_in_ms bigint, unowned_event int, event_ids bigint[])
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    event_ids_from regclass := pg_get_serial_sequence('event', 'id')::regclass;
BEGIN
    RETURN QUERY
    WITH incoming AS (
        SELECT r.i::int AS request, r.application, r.traceparent, coalesce(c.events, 0)::int AS events
          FROM unnest(request_application, request_key_hash, request_traceparent)
               WITH ORDINALITY AS r(application, key_hash, traceparent, i)
          LEFT JOIN (SELECT e.request, count(*) AS events FROM unnest(event_request) AS e(request) GROUP BY e.request) c
                 ON c.request = r.i
         WHERE EXISTS (SELECT FROM api_key k WHERE k.key_hash = r.key_hash AND k.application_id = r.application)),
    verdict AS MATERIALIZED (
        SELECT g.requests[t.request] AS request, t.granted, t.per_second, t.per_request, t.remaining, t.full_in_ms,
               t.retry_in_ms
          FROM (SELECT q.application, array_agg(q.request ORDER BY q.request) AS requests,
                       array_agg(q.events ORDER BY q.request) AS events
                  FROM incoming q GROUP BY q.application ORDER BY q.application) g
         CROSS JOIN LATERAL herald_take_ingest_allowances(g.application, g.events, default_per_second,
                                                          default_per_request) t),
    sent AS (
        SELECT e.i AS n, e.request, e.provider, e.payload,
               row_number() OVER (PARTITION BY e.request ORDER BY e.i)::int AS position
          FROM unnest(event_request, event_provider, event_payload) WITH ORDINALITY AS e(request, provider, payload, i)),
    unowned AS (
        SELECT s.request, min(s.position) AS position
          FROM sent s JOIN incoming q ON q.request = s.request
         WHERE NOT EXISTS (SELECT FROM provider p
                            WHERE p.id = s.provider AND p.application_id = q.application AND NOT p.operational)
         GROUP BY s.request),
    kept AS MATERIALIZED (
        SELECT s.n, s.request, s.provider, s.payload, q.application, q.traceparent, nextval(event_ids_from) AS id
          FROM sent s
          JOIN incoming q ON q.request = s.request
          JOIN verdict v ON v.request = s.request
         WHERE v.granted AND NOT EXISTS (SELECT FROM unowned u WHERE u.request = s.request)
         ORDER BY s.n),
    stored AS (
        INSERT INTO event (id, provider_id, payload, traceparent, application_id)
        SELECT k.id, k.provider, k.payload::json, k.traceparent, k.application FROM kept k ORDER BY k.n)
    SELECT v.request, v.granted, v.per_second, v.per_request, v.remaining, v.full_in_ms, v.retry_in_ms, u.position,
           (SELECT array_agg(k.id ORDER BY k.n) FROM kept k WHERE k.request = v.request)
      FROM verdict v LEFT JOIN unowned u ON u.request = v.request
     ORDER BY v.request;
END $$;
