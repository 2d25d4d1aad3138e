-- Fan-out: events in the outbox become deliveries, one per active webhook of the event's provider whose filters
-- (and event types, operational.sql) the event passes.

-- Every event an INSERT statement adds waits for fan-out in event_pending, so the event row is written once, by its
-- producer; dispatchers are woken the moment the INSERT commits (one notification per statement).
CREATE OR REPLACE FUNCTION herald_event_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_pending (application_id, event_id, event_accepted_at)
    SELECT a.application_id, a.id, a.accepted_at FROM added a;
    PERFORM pg_notify('herald_outbox', '');
    RETURN NULL;
END $$;

-- The switch to event_pending (V31), once, in the transaction that puts this fan-out in place: the previous one
-- marked events fanned out in the event row (`fanned_out_at`). Producers' INSERTs wait for it, so each event is
-- either copied here or added by the new trigger.
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'event_added' AND tgrelid = 'event'::regclass) THEN
        LOCK TABLE event IN SHARE ROW EXCLUSIVE MODE;
        DROP TRIGGER IF EXISTS event_outbox_notify ON event;
        DROP FUNCTION IF EXISTS herald_notify_outbox();
        CREATE TRIGGER event_added AFTER INSERT ON event REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION herald_event_added();
        INSERT INTO event_pending (application_id, event_id, event_accepted_at, fan_out_cursor)
        SELECT e.application_id, e.id, e.accepted_at, e.fan_out_cursor FROM event e WHERE e.fanned_out_at IS NULL;
        ALTER TABLE event DROP COLUMN fanned_out_at;  -- with the index of waiting events that read it
    END IF;
END $$;

-- An integer member of a notification object, or NULL when it is missing, not an integer, or the payload is not an
-- object (a producer may INSERT any JSON).
CREATE OR REPLACE FUNCTION herald_json_int(p_payload json, p_key text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(p_payload) = 'object' AND json_typeof(p_payload -> p_key) = 'number'
                     AND (p_payload ->> p_key) ~ '^-?[0-9]{1,9}$'
                THEN (p_payload ->> p_key)::int END
$$;

-- The notification an event is about, the key that orders a BY_NOTIFICATION webhook's deliveries: its payload's
-- `id` as text when that is a number or a string (so 7 and "7" are one notification, 7 and 7.0 two), else NULL (the
-- event is not ordered). An id longer than 64 characters is keyed by its MD5, so that any id fits the index. Fan-out,
-- recovery, replay and a webhook switched to BY_NOTIFICATION all ask it.
CREATE OR REPLACE FUNCTION herald_ordering_key(p_payload json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN json_typeof(p_payload) = 'object' AND json_typeof(p_payload -> 'id') IN ('number', 'string')
                THEN CASE WHEN length(p_payload ->> 'id') <= 64 THEN p_payload ->> 'id'
                          ELSE 'md5:' || md5(p_payload ->> 'id') END END
$$;

-- Whether a webhook with these filters takes a notification with this channelType and deliveryStatus (each NULL
-- when the payload has no integer there: it passes no filter). Fan-out and recovery both ask it.
CREATE OR REPLACE FUNCTION herald_webhook_takes(channel_types int[], delivery_statuses int[], channel_type int,
                                                delivery_status int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (channel_types IS NULL OR channel_type = ANY(channel_types))
       AND (delivery_statuses IS NULL OR delivery_status = ANY(delivery_statuses))
$$;

-- Whether a webhook subscribed to `event_types` takes an event of `event_type`. NULL subscribes to every event of its
-- provider, typed or not; otherwise the event's type must be one of them, or start with what precedes the `*` of a
-- `prefix.*` (an untyped event takes none). Fan-out and recovery both ask it.
CREATE OR REPLACE FUNCTION herald_webhook_takes_type(event_types text[], event_type text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT event_types IS NULL
        OR EXISTS (SELECT 1 FROM unnest(event_types) AS s(subscribed)
                    WHERE s.subscribed = event_type
                       OR (right(s.subscribed, 2) = '.*' AND starts_with(event_type, left(s.subscribed, -1))))
$$;

-- The application of an event a producer INSERTed without one (application_id 0): its provider's. Ingest sets it
-- itself, so the trigger's condition keeps it from running for REST events.
CREATE OR REPLACE FUNCTION herald_event_application() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.application_id := coalesce((SELECT p.application_id FROM provider p WHERE p.id = NEW.provider_id), 0);
    RETURN NEW;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'event_application' AND tgrelid = 'event'::regclass) THEN
        CREATE TRIGGER event_application BEFORE INSERT ON event
            FOR EACH ROW WHEN (NEW.application_id = 0) EXECUTE FUNCTION herald_event_application();
    END IF;
END $$;

-- Fans out waiting events whose event_pending rows the caller holds locked: at most `max_deliveries` deliveries in
-- all, at most `max_deliveries + 1` webhooks looked at per event (one more than may be taken, to learn whether the
-- event is finished). Deliveries are taken from the applications in turn (each application's first, then each one's
-- second, ...), so an event with thousands of webhooks does not take a call's whole budget from the others. An event
-- whose webhooks were all taken is finished and leaves event_pending; one that was cut keeps its place there
-- (fan_out_cursor: the last webhook id done) and waits for the next call. Endpoints are woken before their
-- deliveries are inserted; other replicas hear of new work on herald_dispatch. Answers the events finished, the
-- deliveries made and the events left unfinished. Each event comes with its cursor (`cursors`), read where the
-- caller locked its row: event_pending is not read again. Joined here, it was read in time quadratic in the events
-- whenever the statistics said it was empty (as autovacuum finds it between bursts): by the event id alone, the
-- whole index for each event (0.6-0.8 s for a call of 500 events, measured), or each row compared with each event.
CREATE OR REPLACE FUNCTION herald_fan_out_events(event_ids bigint[], accepted timestamptz[], cursors bigint[],
                                                 max_deliveries int, attempts_per_delivery int)
RETURNS TABLE (finished int, made int, unfinished int)
LANGUAGE plpgsql AS $$
DECLARE
    taken_events bigint[];
    taken_accepted timestamptz[];
    taken_webhooks bigint[];
    done_ids bigint[];
    done_applications int[];
    cut_ids bigint[];
    cut_applications int[];
    cut_cursors bigint[];
    left_over int;
BEGIN
    WITH event_row AS (
        SELECT e.id, e.accepted_at, e.application_id, e.provider_id, b.fan_out_cursor, e.event_type,
               -- read once per event, not once per webhook
               herald_json_int(e.payload, 'channelType') AS channel_type,
               herald_json_int(e.payload, 'deliveryStatus') AS delivery_status
          FROM unnest(event_ids, accepted, cursors) AS b(id, accepted_at, fan_out_cursor)
          JOIN event e ON e.id = b.id AND e.accepted_at = b.accepted_at),
    candidate AS (
        SELECT r.id AS event_id, r.accepted_at, r.application_id, w.id AS webhook_id
          FROM event_row r
         CROSS JOIN LATERAL (
               SELECT w.id FROM webhook w
                WHERE w.provider_id = r.provider_id AND w.status = 1 AND w.id > r.fan_out_cursor
                  AND herald_webhook_takes(w.channel_types, w.delivery_statuses, r.channel_type, r.delivery_status)
                  -- most webhooks subscribe to no type: they skip the call
                  AND (w.event_types IS NULL OR herald_webhook_takes_type(w.event_types, r.event_type))
                ORDER BY w.id LIMIT max_deliveries + 1) w),
    taken AS (
        SELECT c.event_id, c.accepted_at, c.webhook_id
          FROM (SELECT c.*, row_number() OVER (PARTITION BY c.application_id ORDER BY c.event_id, c.webhook_id) AS turn
                  FROM candidate c) c
         ORDER BY c.turn, c.event_id, c.webhook_id
         LIMIT max_deliveries),
    per_event AS (
        -- counted in one grouping of the three, not by joins: PostgreSQL planned those as loops over each other,
        -- each event's row compared with every candidate's (most of a call's time at 500 events, measured)
        SELECT e.id, max(e.application_id) AS application_id,
               count(*) FILTER (WHERE e.source = 'candidate') AS candidates,
               count(*) FILTER (WHERE e.source = 'taken') AS taken,
               max(e.webhook_id) FILTER (WHERE e.source = 'taken') AS last_webhook
          FROM (SELECT r.id, r.application_id, 'event' AS source, NULL::bigint AS webhook_id FROM event_row r
                UNION ALL
                SELECT c.event_id, c.application_id, 'candidate', c.webhook_id FROM candidate c
                UNION ALL
                SELECT t.event_id, NULL, 'taken', t.webhook_id FROM taken t) e
         GROUP BY e.id)
    SELECT (SELECT array_agg(t.event_id ORDER BY t.webhook_id, t.event_id) FROM taken t),
           (SELECT array_agg(t.accepted_at ORDER BY t.webhook_id, t.event_id) FROM taken t),
           (SELECT array_agg(t.webhook_id ORDER BY t.webhook_id, t.event_id) FROM taken t),
           (SELECT array_agg(p.id) FROM per_event p WHERE p.taken = p.candidates AND p.candidates <= max_deliveries),
           (SELECT array_agg(p.application_id) FROM per_event p
             WHERE p.taken = p.candidates AND p.candidates <= max_deliveries),
           (SELECT array_agg(p.id) FROM per_event p WHERE p.taken < p.candidates AND p.taken > 0),
           (SELECT array_agg(p.application_id) FROM per_event p WHERE p.taken < p.candidates AND p.taken > 0),
           (SELECT array_agg(p.last_webhook) FROM per_event p WHERE p.taken < p.candidates AND p.taken > 0),
           (SELECT count(*) FROM per_event p WHERE p.taken < p.candidates OR p.candidates > max_deliveries)
      INTO taken_events, taken_accepted, taken_webhooks, done_ids, done_applications, cut_ids, cut_applications,
           cut_cursors, left_over;

    IF taken_webhooks IS NOT NULL THEN
        PERFORM herald_wake_endpoints(taken_webhooks, array_fill(clock_timestamp(), ARRAY[cardinality(taken_webhooks)]));
        INSERT INTO delivery (event_id, event_accepted_at, webhook_id, application_id, attempt_limit, ordering_key)
        SELECT t.event_id, t.accepted_at, t.webhook_id, p.application_id,
               -- the first attempt and one per wait of the webhook's own schedule, else of the deployment's
               coalesce(cardinality(w.retry_schedule_ms) + 1, attempts_per_delivery),
               -- read only for a BY_NOTIFICATION webhook: the others never parse the payload for it
               CASE WHEN w.ordering = 1 THEN (SELECT herald_ordering_key(e.payload) FROM event e
                                               WHERE e.id = t.event_id AND e.accepted_at = t.accepted_at) END
          FROM unnest(taken_events, taken_accepted, taken_webhooks) AS t(event_id, accepted_at, webhook_id)
          JOIN webhook w ON w.id = t.webhook_id
          JOIN provider p ON p.id = w.provider_id;
        PERFORM pg_notify('herald_dispatch', '');
    END IF;
    -- event_pending's rows found by key values, not joined: a join with what the statistics call an empty table
    -- compares each row with each event (event ids are unique, so each pair of lists names exactly those rows)
    IF done_ids IS NOT NULL THEN
        DELETE FROM event_pending w
         WHERE w.application_id = ANY(ARRAY(SELECT DISTINCT unnest(done_applications))) AND w.event_id = ANY(done_ids);
    END IF;
    IF cut_ids IS NOT NULL THEN
        UPDATE event_pending w SET fan_out_cursor = c.last_webhook
          FROM unnest(cut_ids, cut_cursors) AS c(id, last_webhook)
         WHERE w.application_id = ANY(ARRAY(SELECT DISTINCT unnest(cut_applications))) AND w.event_id = ANY(cut_ids)
           AND w.event_id = c.id;
    END IF;
    RETURN QUERY SELECT coalesce(cardinality(done_ids), 0), coalesce(cardinality(taken_webhooks), 0), left_over::int;
END $$;
ALTER FUNCTION herald_fan_out_events(bigint[], timestamptz[], bigint[], int, int) SET enable_seqscan = off;
-- The form without the cursors (schema version 38 and before) goes in this file's transaction, with its one
-- caller, herald_fan_out, replaced below. Dropped only where it exists: IF EXISTS would send a notice, which the
-- client logs as a warning.
DO $$ BEGIN
    IF to_regprocedure('herald_fan_out_events(bigint[], timestamptz[], int, int)') IS NOT NULL THEN
        DROP FUNCTION herald_fan_out_events(bigint[], timestamptz[], int, int);
    END IF;
END $$;

-- One fan-out call: at most `max_events` waiting events, taken from the applications in turn (an equal share of the
-- call for each application with waiting events, its oldest first), locked with SKIP LOCKED so that replicas share
-- the work, and fanned out by herald_fan_out_events. When that fails, whatever the cause, the events are fanned out
-- one by one, and an event that fails alone is set aside with its error (fan_out_error): out of everyone's way,
-- visible to the operator, sent again by retrySetAsideEvents. Failures of the database itself (a lost connection, a
-- deadlock, a cancelled statement, no memory) are not an event's fault: they end the call, and the events wait.
-- Answers the events finished, the deliveries made, whether more may be waiting, and the events set aside with
-- their errors. The hot path finds its rows by key, and statistics mislead it (a partition that just became current
-- reads as nearly empty until analyzed): it never scans.
CREATE OR REPLACE FUNCTION herald_fan_out(max_events int, max_deliveries int, attempts_per_delivery int)
RETURNS TABLE (events int, deliveries int, more boolean, set_aside_ids bigint[], set_aside_errors text[])
LANGUAGE plpgsql AS $$
DECLARE
    applications int[];
    share int;
    batch_ids bigint[];
    batch_accepted timestamptz[];
    batch_applications int[];
    batch_cursors bigint[];
    full_share boolean;
    outcome record;
    finished_total int := 0;
    made_total int := 0;
    left_over int := 0;
    aside_ids bigint[] := '{}';
    aside_errors text[] := '{}';
    error text;
BEGIN
    -- the applications with waiting events: one probe of event_pending's key each
    WITH RECURSIVE waiting AS (
        (SELECT e.application_id FROM event_pending e ORDER BY e.application_id LIMIT 1)
        UNION ALL
        SELECT (SELECT e.application_id FROM event_pending e
                 WHERE e.application_id > w.application_id
                 ORDER BY e.application_id LIMIT 1)
          FROM waiting w WHERE w.application_id IS NOT NULL)
    SELECT array_agg(w.application_id) INTO applications FROM waiting w WHERE w.application_id IS NOT NULL;
    IF applications IS NULL THEN
        RETURN QUERY SELECT 0, 0, false, '{}'::bigint[], '{}'::text[];
        RETURN;
    END IF;
    share := greatest(1, ceil(max_events::numeric / cardinality(applications)))::int;

    -- each application's oldest unlocked events, locked where they are read: through the key's first column, so that
    -- no plan reads the table once per event or compares each row with each event, whatever the statistics say
    WITH locked AS (
        SELECT o.event_id, o.event_accepted_at, a.id AS application_id, o.fan_out_cursor
          FROM unnest(applications) AS a(id)
         CROSS JOIN LATERAL (SELECT w.event_id, w.event_accepted_at, w.fan_out_cursor FROM event_pending w
                              WHERE w.application_id = a.id
                              ORDER BY w.event_id LIMIT share
                                FOR UPDATE SKIP LOCKED) o)
    SELECT (SELECT array_agg(l.event_id ORDER BY l.event_id) FROM locked l),
           (SELECT array_agg(l.event_accepted_at ORDER BY l.event_id) FROM locked l),
           (SELECT array_agg(l.application_id ORDER BY l.event_id) FROM locked l),
           (SELECT array_agg(l.fan_out_cursor ORDER BY l.event_id) FROM locked l),
           (SELECT coalesce(bool_or(n >= share), false)
              FROM (SELECT count(*) AS n FROM locked GROUP BY application_id) c)
      INTO batch_ids, batch_accepted, batch_applications, batch_cursors, full_share;
    IF batch_ids IS NULL THEN
        RETURN QUERY SELECT 0, 0, false, '{}'::bigint[], '{}'::text[];
        RETURN;
    END IF;

    BEGIN
        SELECT * INTO outcome FROM herald_fan_out_events(batch_ids, batch_accepted, batch_cursors, max_deliveries,
                                                         attempts_per_delivery);
        finished_total := outcome.finished;
        made_total := outcome.made;
        left_over := outcome.unfinished;
    EXCEPTION WHEN OTHERS THEN
        IF left(SQLSTATE, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
            RAISE;
        END IF;
        FOR i IN 1 .. cardinality(batch_ids) LOOP
            IF made_total >= max_deliveries THEN
                left_over := left_over + 1;  -- its turn comes in the next call
                CONTINUE;
            END IF;
            BEGIN
                SELECT * INTO outcome FROM herald_fan_out_events(batch_ids[i:i], batch_accepted[i:i],
                                                                 batch_cursors[i:i], max_deliveries - made_total,
                                                                 attempts_per_delivery);
                finished_total := finished_total + outcome.finished;
                made_total := made_total + outcome.made;
                left_over := left_over + outcome.unfinished;
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) IN ('08', '40', '53', '55', '57', '58', 'XX') THEN
                    RAISE;
                END IF;
                error := SQLSTATE || ': ' || SQLERRM;
                -- out of the queue; the event row keeps its place for when it is sent again
                WITH aside AS (
                    DELETE FROM event_pending w
                     WHERE w.application_id = batch_applications[i] AND w.event_id = batch_ids[i]
                 RETURNING w.fan_out_cursor)
                UPDATE event SET set_aside_at = clock_timestamp(), fan_out_error = error,
                                 fan_out_cursor = (SELECT a.fan_out_cursor FROM aside a)
                 WHERE id = batch_ids[i] AND accepted_at = batch_accepted[i];
                aside_ids := aside_ids || batch_ids[i];
                aside_errors := aside_errors || error;
            END;
        END LOOP;
    END;
    RETURN QUERY SELECT finished_total, made_total, full_share OR left_over > 0, aside_ids, aside_errors;
END $$;
ALTER FUNCTION herald_fan_out(int, int, int) SET enable_seqscan = off;
