-- Claims: deliveries taken endpoint-first, under caps held in the database across replicas, with the replica's
-- attempt slots shared between applications.
--
-- One transaction, two calls. herald_lock_due_endpoints locks a few due endpoint rows (SKIP LOCKED, so claimers
-- never wait on each other); herald_claim, whose statements see everything committed before those locks were held,
-- takes up to the room of each endpoint from its oldest ready deliveries (those not waiting their turn), charges the
-- endpoint and sets when it is
-- next worth a look. Every writer that creates work for an endpoint (fan-out, retries, replay, lease expiry) updates
-- the endpoint row in its own transaction, so a claim that holds the row sees all of it, or the writer wakes the
-- endpoint after the claim commits. Due times compare with statement_timestamp(), which is stable within a
-- statement and so bounds the index scans.

-- Starts charged to an endpoint within the rate window (`window_ms`, the 60 s and the guard), oldest first.
CREATE OR REPLACE FUNCTION herald_recent_starts(starts timestamptz[], window_ms bigint) RETURNS timestamptz[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT s FROM unnest(starts) s WHERE s > clock_timestamp() - window_ms * interval '1 millisecond'
                  ORDER BY s)
$$;

-- Whether a delivery of a BY_NOTIFICATION webhook (it has an ordering key) waits its turn: while another delivery of
-- the same notification to the same webhook is in flight, or an earlier one (by event id) is still in the hot table
-- (pending, retried or held). It is neither claimed nor counted as due until then; so one notification's deliveries
-- go one at a time, and those waiting go in event-id order (one that came in late, a replay or an event committed
-- after a later one, takes its turn among them). Callers ask only for deliveries with a key. The one rule of order,
-- for claims and for when an endpoint is next worth a look.
CREATE OR REPLACE FUNCTION herald_waits_its_turn(p_webhook bigint, p_ordering_key text, p_event bigint,
                                                 p_delivery bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM delivery o
                    WHERE o.webhook_id = p_webhook AND o.ordering_key = p_ordering_key AND o.id <> p_delivery
                      AND (o.event_id < p_event OR o.status = 1))
$$;
-- found through its partial index, never by a scan, whatever the statistics of the hot table say
ALTER FUNCTION herald_waits_its_turn(bigint, text, bigint, bigint) SET enable_seqscan = off;

-- How many attempts may start now at a webhook, or at a receiver: none while the webhook is off or the receiver asked
-- for a pause; else the lower of what the in-flight cap leaves (each running test holds a slot) and what the rate
-- window leaves. The one rule of room, for claims and test events alike, at both levels.
CREATE OR REPLACE FUNCTION herald_room(active boolean, paused boolean, in_flight int, tests int,
                                       max_in_flight int, recent_starts int, max_starts int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN active AND NOT paused
                THEN greatest(0, least(max_in_flight - in_flight - tests, max_starts - recent_starts))
                ELSE 0 END
$$;

-- The receiver a claim charges for a webhook's delivery: the webhook's own, when the claim holds it (`held`: the
-- shared receivers it locked); else none, and the webhook's endpoint row alone holds its counts.
CREATE OR REPLACE FUNCTION herald_charged_receiver(webhook_receiver bigint, held bigint[]) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN webhook_receiver = ANY(held) THEN webhook_receiver END
$$;

-- Locks up to `max_endpoints` due endpoints for a claim, the applications taking turns: of the
-- `max_endpoints * 4` that fell due first, each application's first, then each one's second, and so on. Endpoints of
-- `full_applications` (those holding their share of this replica's slots) are passed over: their deliveries wait for
-- another replica or for a slot here. Answers the endpoints locked.
CREATE OR REPLACE FUNCTION herald_lock_due_endpoints(max_endpoints int, full_applications int[])
RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    SELECT e.webhook_id FROM endpoint_state e
     WHERE e.webhook_id = ANY(ARRAY(
           SELECT t.webhook_id FROM (
                  SELECT c.webhook_id, c.next_check_at,
                         row_number() OVER (PARTITION BY c.application_id ORDER BY c.next_check_at) AS turn
                    FROM (SELECT d.webhook_id, d.application_id, d.next_check_at FROM endpoint_state d
                           WHERE d.next_check_at <= statement_timestamp()
                             AND d.next_check_at < 'infinity'  -- the index of due times leaves parked ones out
                             AND d.application_id <> ALL(full_applications)
                           ORDER BY d.next_check_at
                           LIMIT max_endpoints * 4) c) t
            ORDER BY t.turn, t.next_check_at
            LIMIT max_endpoints))
       AND e.next_check_at <= statement_timestamp()
     ORDER BY e.next_check_at
       FOR UPDATE SKIP LOCKED;
END $$;

-- Claims deliveries of endpoints the caller holds locked (herald_lock_due_endpoints). The shared receivers those
-- endpoints name are locked first (SKIP LOCKED: an endpoint whose receiver another claim holds waits for the next
-- claim; a receiver only one webhook names is not charged, receivers.sql);
-- everything after reads what was committed before those locks were held. From each endpoint: at most
-- `per_endpoint`, as its room allows (herald_room: the global caps `global_in_flight` and `global_starts`, or the
-- webhook's own when lower); at each receiver, at most the room the same global caps leave there, across every
-- webhook and application that names it, the webhooks taking turns; at most `max_deliveries` in all, and at most
-- each application's share of the replica's free slots (`share_applications` with `share_room`; an application not
-- listed may take `default_share`), the applications' oldest first in turn. Each claimed delivery gets a new claim
-- token, a lease of `lease_ms` and the receiver it was charged to; endpoints and receivers are charged (in flight,
-- rate window) and each endpoint is told when it is next worth a look: never while off, when its receiver's pause
-- ends, never at its own in-flight cap (a completion wakes it), when a running test ends, when its or its receiver's
-- rate window frees a start, after `receiver_recheck_ms` while its receiver is full (the completion that frees a slot
-- there belongs to another webhook's endpoint and wakes that one), or when its next delivery falls due. Answers what
-- each attempt needs, its webhook's own retry schedule, jitter and timeout too (NULL: the deployment's), and how its
-- receiver is reached (its own proxy, client certificate, OAuth2 client; each sealed, NULL: none).
CREATE OR REPLACE FUNCTION herald_claim(endpoint_ids bigint[], global_in_flight int, global_starts int,
                                        window_ms bigint, per_endpoint int, lease_ms bigint, max_deliveries int,
                                        share_applications int[], share_room int[], default_share int,
                                        receiver_recheck_ms bigint)
RETURNS TABLE (id bigint, webhook_id bigint, event_id bigint, attempt_count int, attempt_limit int,
               claim_token bigint, application_id int, webhook_url text, payload text, event_age_ms bigint,
               secret text, previous_secret text, legacy_signature_header text, headers text, traceparent text,
               retry_schedule_ms int[], retry_jitter real, timeout_ms int, proxy text, client_certificate text,
               oauth2 text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    held bigint[];
BEGIN
    held := ARRAY(SELECT r.id FROM receiver r
                   WHERE r.id = ANY(ARRAY(SELECT w.receiver_id FROM webhook w WHERE w.id = ANY(endpoint_ids)))
                     AND r.shared
                   ORDER BY r.id
                     FOR UPDATE SKIP LOCKED);
    RETURN QUERY
    WITH token AS (SELECT nextval('claim_token_seq') AS value),
    receiver_room AS (
        SELECT r.id, r.in_flight, coalesce(r.paused_until > clock_timestamp(), false) AS paused, r.paused_until,
               herald_recent_starts(r.window_starts, window_ms) AS recent,
               -- a test event holds a slot at its receiver too
               (SELECT count(*)::int FROM webhook tw JOIN endpoint_state te ON te.webhook_id = tw.id
                 WHERE tw.receiver_id = r.id AND te.test_until > clock_timestamp()) AS tests
          FROM receiver r WHERE r.id = ANY(held)),
    receiver_free AS (
        SELECT rr.*, herald_room(true, rr.paused, rr.in_flight, rr.tests, global_in_flight, cardinality(rr.recent),
                                 global_starts) AS free
          FROM receiver_room rr),
    room AS (
        SELECT e.webhook_id, e.in_flight, w.status = 1 AS active,
               herald_charged_receiver(w.receiver_id, held) AS receiver_id,
               coalesce(e.paused_until > clock_timestamp(), false) AS paused, e.paused_until,
               least(global_in_flight, coalesce(w.max_in_flight, global_in_flight)) AS max_in_flight,
               least(global_starts, coalesce(w.max_per_minute, global_starts)) AS max_starts,
               coalesce(e.test_until > clock_timestamp(), false) AS testing, e.test_until,
               herald_recent_starts(e.window_starts, window_ms) AS recent,
               -- what its application may take of this replica's slots, by its deliveries' application (its
               -- provider's; the endpoint row's may not be set yet)
               coalesce((SELECT s.room FROM unnest(share_applications, share_room) AS s(application_id, room)
                          WHERE s.application_id = (SELECT p.application_id FROM provider p
                                                     WHERE p.id = w.provider_id)),
                        default_share) AS application_room
          FROM endpoint_state e JOIN webhook w ON w.id = e.webhook_id
         WHERE e.webhook_id = ANY(endpoint_ids) AND w.id = ANY(endpoint_ids)  -- both: else the planner scans webhook
           -- a webhook without a receiver has its own caps only, and so has one whose receiver is not shared
           -- (herald_share_receivers, receivers.sql): nothing is charged there
           AND (w.receiver_id = ANY(held) OR w.receiver_id IS NULL
                OR NOT EXISTS (SELECT 1 FROM receiver s WHERE s.id = w.receiver_id AND s.shared))),
    capacity AS (
        SELECT r.*, least(per_endpoint, herald_room(r.active, r.paused, r.in_flight, r.testing::int, r.max_in_flight,
                                                     cardinality(r.recent), r.max_starts)) AS free,
               (SELECT f.free FROM receiver_free f WHERE f.id = r.receiver_id) AS receiver_free
          FROM room r),
    -- each endpoint's oldest ready deliveries, with the rooms looked up once per endpoint above: joined with each
    -- delivery, the held receivers and the share list were compared with every row (99,000 pairs at 1,000 rows and
    -- 100 receivers, measured), for the estimate of `capacity` is one row
    ready AS (
        SELECT d.id, d.application_id, d.next_attempt_at, c.receiver_id, d.in_endpoint, c.receiver_free,
               c.application_room
          FROM capacity c CROSS JOIN LATERAL (
            SELECT q.id, q.application_id, q.next_attempt_at,
                   row_number() OVER (ORDER BY q.next_attempt_at, q.id) AS in_endpoint
              FROM (SELECT q.id, q.application_id, q.next_attempt_at FROM delivery q
                     WHERE q.webhook_id = c.webhook_id AND q.status = 0 AND q.next_attempt_at <= statement_timestamp()
                       AND (q.ordering_key IS NULL
                            OR NOT herald_waits_its_turn(q.webhook_id, q.ordering_key, q.event_id, q.id))
                     ORDER BY q.next_attempt_at, q.id
                     LIMIT c.free) q) d),
    picked AS (
        SELECT r.id FROM (
               SELECT r.*,
                      row_number() OVER (PARTITION BY r.application_id ORDER BY r.next_attempt_at, r.id) AS turn,
                      row_number() OVER (PARTITION BY r.receiver_id ORDER BY r.in_endpoint, r.next_attempt_at, r.id)
                          AS at_receiver
                 FROM ready r) r
         WHERE r.turn <= r.application_room AND (r.receiver_free IS NULL OR r.at_receiver <= r.receiver_free)
         ORDER BY r.turn, r.next_attempt_at
         LIMIT max_deliveries),
    claimed AS (
        UPDATE delivery d
           SET status = 1, attempt_count = d.attempt_count + 1,
               claim_token = (SELECT value FROM token),
               lease_until = clock_timestamp() + lease_ms * interval '1 millisecond',
               -- looked up, not joined with `picked`: a join planned as a loop read `picked` again for each row
               -- claimed (a third of the claim's time at 200 claimed, measured); none while no receiver is held
               receiver_id = CASE WHEN cardinality(held) > 0
                                  THEN herald_charged_receiver((SELECT w.receiver_id FROM webhook w
                                                                 WHERE w.id = d.webhook_id), held) END
         WHERE d.id = ANY(ARRAY(SELECT p.id FROM picked p)) AND d.status = 0
     RETURNING d.id, d.webhook_id, d.event_id, d.event_accepted_at, d.attempt_count, d.attempt_limit,
               d.claim_token, d.application_id, d.receiver_id),
    receiver_charged AS (
        SELECT f.id, f.paused, f.paused_until, f.tests, f.in_flight + coalesce(k.n, 0) AS in_flight,
               -- a start charged must never be earlier than one already charged
               f.recent || array_fill(greatest(clock_timestamp(), f.recent[cardinality(f.recent)]),
                                      ARRAY[coalesce(k.n, 0)]) AS starts
          FROM receiver_free f
          LEFT JOIN (SELECT k.receiver_id, count(*)::int AS n FROM claimed k GROUP BY k.receiver_id) k
                 ON k.receiver_id = f.id),
    receiver_updated AS (
        UPDATE receiver r SET in_flight = c.in_flight, window_starts = c.starts
          FROM receiver_charged c
         WHERE r.id = c.id AND r.id = ANY(held)),
    charged AS (
        SELECT c.webhook_id, c.active, c.paused, c.paused_until, c.in_flight + coalesce(k.n, 0) AS in_flight,
               c.max_in_flight, c.max_starts, c.testing, c.test_until, c.receiver_id,
               c.recent || array_fill(greatest(clock_timestamp(), c.recent[cardinality(c.recent)]),
                                      ARRAY[coalesce(k.n, 0)]) AS starts
          FROM capacity c
          LEFT JOIN (SELECT k.webhook_id, count(*)::int AS n FROM claimed k GROUP BY k.webhook_id) k
               USING (webhook_id)),
    updated AS (
        UPDATE endpoint_state e
           SET in_flight = s.in_flight,
               window_starts = s.starts,
               next_check_at = CASE
                   WHEN NOT s.active THEN 'infinity'
                   WHEN s.paused THEN s.paused_until  -- the receiver asked for a pause (429)
                   WHEN rc.paused THEN rc.paused_until
                   WHEN s.in_flight >= s.max_in_flight THEN 'infinity'  -- a completion wakes it
                   -- a test's end wakes it, or its lease's end when its replica died
                   WHEN s.in_flight + s.testing::int >= s.max_in_flight THEN s.test_until
                   WHEN cardinality(s.starts) >= s.max_starts
                        THEN s.starts[cardinality(s.starts) - s.max_starts + 1] + window_ms * interval '1 millisecond'
                   WHEN s.next_due IS NULL THEN 'infinity'  -- nothing waits: new work wakes it
                   WHEN cardinality(rc.starts) >= global_starts
                        THEN greatest(s.next_due, rc.starts[cardinality(rc.starts) - global_starts + 1]
                                                  + window_ms * interval '1 millisecond')
                   WHEN rc.in_flight + rc.tests >= global_in_flight
                        THEN greatest(s.next_due, clock_timestamp() + receiver_recheck_ms * interval '1 millisecond')
                   ELSE s.next_due
               END
          FROM (SELECT c.*, (SELECT min(q.next_attempt_at) FROM delivery q
                              WHERE q.webhook_id = c.webhook_id AND q.status = 0
                                AND q.id <> ALL(ARRAY(SELECT k.id FROM claimed k))
                                -- one waiting its turn is due when the one before it ends: that end wakes the endpoint
                                AND (q.ordering_key IS NULL
                                     OR NOT herald_waits_its_turn(q.webhook_id, q.ordering_key, q.event_id, q.id)))
                            AS next_due
                  FROM charged c) s
          LEFT JOIN receiver_charged rc ON rc.id = s.receiver_id
         -- found by the primary key, one probe per endpoint: with `e.webhook_id = ANY(endpoint_ids)` beside it, the
         -- generic plan read every endpoint of the claim again for each one (a third of the claim's time at 100)
         WHERE e.webhook_id = s.webhook_id)
    SELECT c.id, c.webhook_id, c.event_id, c.attempt_count, c.attempt_limit, c.claim_token, c.application_id,
           w.webhook_url, ev.payload::text,
           (extract(epoch FROM clock_timestamp() - c.event_accepted_at) * 1000)::bigint, w.secret,
           CASE WHEN w.previous_secret_expires_at > clock_timestamp() THEN w.previous_secret END,
           w.legacy_signature_header, w.headers, ev.traceparent, w.retry_schedule_ms, w.retry_jitter, w.timeout_ms,
           w.proxy, w.client_certificate, w.oauth2
      FROM claimed c
      JOIN webhook w ON w.id = c.webhook_id
      -- the acceptance time finds the event's partition; a missing event is that delivery's outcome
      LEFT JOIN event ev ON ev.id = c.event_id AND ev.accepted_at = c.event_accepted_at;
END $$;
-- its statements read by index only (endpoint, receiver and webhook rows by id, an endpoint's deliveries through the
-- queue index), never a scan of every tenant's rows, whatever a generic plan estimates
ALTER FUNCTION herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint)
    SET enable_seqscan = off;
