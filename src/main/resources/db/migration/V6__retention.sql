-- Retention, and a hot path that stays small however long Herald runs (README, "Retention").
--
-- `delivery` keeps only deliveries not yet final (0 pending, 1 in flight): its size follows the backlog. A
-- delivery that ends (2 delivered, 3 failed) moves to `delivery_history`; attempts are written to
-- `delivery_attempt`; events stay in `event`. Those three are append-only and range-partitioned by time (when the
-- delivery finished, when the attempt started, when the event was accepted, all by the database's clock), so
-- retention drops whole partitions (dev.herald.retention) instead of deleting rows. There is no DEFAULT
-- partition: it would block DETACH PARTITION ... CONCURRENTLY. Herald creates partitions ahead of time.
--
-- The rows of the previous tables are copied into a first "legacy" partition of each table (everything before
-- the cutover) in this one transaction: producers that INSERT meanwhile wait for it, then write to the new tables.

-- The partitions Herald made, with their bounds: maintenance reads this instead of parsing catalog expressions.
CREATE TABLE herald_partition (
    name   text PRIMARY KEY,
    parent text        NOT NULL,
    lower  timestamptz NOT NULL,  -- '-infinity' for the legacy partition
    upper  timestamptz NOT NULL
);
CREATE INDEX herald_partition_parent_idx ON herald_partition (parent, upper);

-- Creates one partition of `p_parent` for [p_lower, p_upper) and attaches it. ATTACH (not CREATE ... PARTITION OF)
-- takes only a SHARE UPDATE EXCLUSIVE lock on the parent: producers, claims and the attempt log go on.
CREATE FUNCTION herald_create_partition(p_parent text, p_lower timestamptz, p_upper timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    p_name text := p_parent || '_' || CASE WHEN p_lower = '-infinity' THEN 'legacy'
                                            ELSE to_char(p_lower AT TIME ZONE 'UTC', 'YYYYMMDD"t"HH24MISS') END;
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', p_name, p_parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%L)', p_parent, p_name,
                   CASE WHEN p_lower = '-infinity' THEN 'MINVALUE' ELSE quote_literal(p_lower) END, p_upper);
    INSERT INTO herald_partition (name, parent, lower, upper) VALUES (p_name, p_parent, p_lower, p_upper);
    RETURN p_name;
END $$;

-- Extends the chain of `p_parent`'s partitions in steps of `p_step` until it covers `p_until`. After a pause
-- longer than a step (nothing could be written beyond the last partition meanwhile), one partition covers the
-- gap up to now. Answers how many partitions it made.
CREATE FUNCTION herald_extend_partitions(p_parent text, p_step interval, p_until timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    last_upper timestamptz;
    gap_end timestamptz;
    made int := 0;
BEGIN
    SELECT max(upper) INTO last_upper FROM herald_partition WHERE parent = p_parent;
    IF last_upper IS NULL THEN
        RAISE EXCEPTION 'no partition of % to extend', p_parent;
    END IF;
    IF last_upper + p_step < clock_timestamp() THEN
        gap_end := date_trunc('second', clock_timestamp());
        PERFORM herald_create_partition(p_parent, last_upper, gap_end);
        last_upper := gap_end;
        made := made + 1;
    END IF;
    WHILE last_upper < p_until LOOP
        PERFORM herald_create_partition(p_parent, last_upper, last_upper + p_step);
        last_upper := last_upper + p_step;
        made := made + 1;
    END LOOP;
    RETURN made;
END $$;

-- The partitions retention may drop now, oldest first: those whose whole range ended more than `p_retention`
-- ago. An event partition also waits while any event in it is needed: by a delivery not yet final, by a FAILED
-- delivery still replayable (finished within the retention period), or because it was not fanned out yet.
CREATE FUNCTION herald_expired_partitions(p_retention interval) RETURNS TABLE (parent text, name text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    horizon timestamptz := clock_timestamp() - p_retention;
    -- a replay that started a moment ago may still take a FAILED delivery that has just left retention: its
    -- event stays a little longer than the retention period
    replay_margin interval := least(interval '5 minutes', p_retention / 10);
    events_needed_from timestamptz;
BEGIN
    SELECT least((SELECT min(d.event_accepted_at) FROM delivery d),
                 (SELECT min(h.event_accepted_at) FROM delivery_history h
                   WHERE h.status = 3 AND h.finished_at >= horizon - replay_margin),
                 (SELECT min(e.accepted_at) FROM event e WHERE e.fanned_out_at IS NULL))
      INTO events_needed_from;
    RETURN QUERY
        SELECT p.parent, p.name FROM herald_partition p
         WHERE p.upper <= horizon
           AND (p.parent <> 'event' OR events_needed_from IS NULL OR p.upper <= events_needed_from)
         ORDER BY p.upper;
END $$;

-- A bridge from the cutover to a minute after the copy ended, made once the copy is done (it may take minutes):
-- producers that waited for the migration write into it, until Herald, right after migrating, makes the
-- partitions of the configured interval from its end on.
CREATE FUNCTION herald_bridge_partitions(p_parent text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM herald_create_partition(p_parent, p.upper,
                                    greatest(p.upper, date_trunc('second', clock_timestamp())) + interval '61 seconds')
       FROM herald_partition p WHERE p.parent = p_parent AND p.lower = '-infinity';
END $$;

-- ---- Events, partitioned by acceptance ------------------------------------------------------------------
ALTER TABLE event RENAME TO event_v5;
CREATE SEQUENCE event_id_seq_v6;
CREATE TABLE event (
    id             bigint      NOT NULL DEFAULT nextval('event_id_seq_v6'),
    provider_id    integer     NOT NULL,
    payload        json        NOT NULL,
    accepted_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    fanned_out_at  timestamptz,
    fan_out_cursor bigint      NOT NULL DEFAULT 0,
    CONSTRAINT event_partitioned_pkey PRIMARY KEY (id, accepted_at)
) PARTITION BY RANGE (accepted_at);
ALTER SEQUENCE event_id_seq_v6 OWNED BY event.id;
CREATE INDEX event_waiting_fan_out_idx ON event (id) WHERE fanned_out_at IS NULL;
CREATE TRIGGER event_outbox_notify AFTER INSERT ON event FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_outbox();

-- ---- Deliveries not yet final: the hot table -----------------------------------------------------------
ALTER TABLE delivery RENAME TO delivery_v5;
CREATE TABLE delivery (
    id                bigint GENERATED BY DEFAULT AS IDENTITY CONSTRAINT delivery_hot_pkey PRIMARY KEY,
    event_id          bigint      NOT NULL,
    event_accepted_at timestamptz NOT NULL,  -- finds the event's partition
    webhook_id        bigint      NOT NULL,
    application_id    integer     NOT NULL,  -- the owner, for the attempt log
    status            smallint    NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),
    attempt_count     integer     NOT NULL DEFAULT 0,
    attempt_limit     integer     NOT NULL DEFAULT 4,
    next_attempt_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    claim_token       bigint,
    lease_until       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp()
) WITH (fillfactor = 80,
        -- every delivery that ends leaves a dead row here: vacuum after 5,000 of them, not after a fifth of a
        -- table whose live rows are only the backlog
        autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0);
CREATE INDEX delivery_due_idx ON delivery (webhook_id, next_attempt_at, id) WHERE status = 0;
CREATE INDEX delivery_leased_idx ON delivery (lease_until) WHERE status = 1;
-- the attempt log's order (newest first: created_at, then id), within a webhook, an application or an event
CREATE INDEX delivery_of_webhook_idx ON delivery (webhook_id, created_at, id);
CREATE INDEX delivery_of_application_idx ON delivery (application_id, created_at, id);
CREATE INDEX delivery_of_event_idx ON delivery (event_id, created_at, id);

-- ---- Finished deliveries: the history, partitioned by when they finished --------------------------------
CREATE TABLE delivery_history (
    id                bigint      NOT NULL,
    event_id          bigint      NOT NULL,
    event_accepted_at timestamptz NOT NULL,
    webhook_id        bigint      NOT NULL,
    application_id    integer     NOT NULL,
    status            smallint    NOT NULL CHECK (status IN (2, 3)),
    attempt_count     integer     NOT NULL,
    created_at        timestamptz NOT NULL,
    finished_at       timestamptz NOT NULL
) PARTITION BY RANGE (finished_at);
-- the attempt log pages newest first (created_at, then id) within an application, a webhook or an event: each
-- partition's index starts right at a page's cursor or a time range's end, so a page reads about its own rows
-- in every partition. FAILED ones have their own small indexes (they are few, and replay looks for them).
CREATE INDEX delivery_history_of_application_idx ON delivery_history (application_id, created_at, id);
CREATE INDEX delivery_history_failed_of_application_idx ON delivery_history (application_id, created_at, id)
    WHERE status = 3;
CREATE INDEX delivery_history_of_webhook_idx ON delivery_history (webhook_id, created_at, id);
CREATE INDEX delivery_history_failed_of_webhook_idx ON delivery_history (webhook_id, created_at, id) WHERE status = 3;
CREATE INDEX delivery_history_of_event_idx ON delivery_history (event_id, created_at, id);
CREATE INDEX delivery_history_replayable_event_idx ON delivery_history (event_accepted_at) WHERE status = 3;

-- ---- Attempts, partitioned by when they started ----------------------------------------------------------
ALTER TABLE delivery_attempt RENAME TO delivery_attempt_v5;
CREATE TABLE delivery_attempt (
    delivery_id      bigint      NOT NULL,
    attempt_number   integer     NOT NULL,
    attempted_at     timestamptz NOT NULL,
    duration_ms      integer     NOT NULL,
    status_code      smallint,
    error            text,
    response_excerpt text
) PARTITION BY RANGE (attempted_at);
CREATE INDEX delivery_attempt_of_delivery_idx ON delivery_attempt (delivery_id, attempt_number);

-- ---- The copy: every existing row into a legacy partition -------------------------------------------------
DO $$
DECLARE
    -- a whole second, so partition names (by their start, to the second) never collide
    cutover timestamptz := date_trunc('second', clock_timestamp()) + interval '1 second';
    attempts_cutover timestamptz;
BEGIN
    -- attempt times came from replicas' clocks: one may lie ahead of the database's
    SELECT greatest(cutover, date_trunc('second', max(attempted_at)) + interval '1 second')
      INTO attempts_cutover FROM delivery_attempt_v5;
    -- the legacy partitions, for the rows of before the cutover, made before they are copied
    PERFORM herald_create_partition('event', '-infinity', cutover);
    PERFORM herald_create_partition('delivery_history', '-infinity', cutover);
    PERFORM herald_create_partition('delivery_attempt', '-infinity', coalesce(attempts_cutover, cutover));
END $$;

INSERT INTO event (id, provider_id, payload, accepted_at, fanned_out_at, fan_out_cursor)
SELECT id, provider_id, payload, accepted_at, fanned_out_at, fan_out_cursor FROM event_v5;
-- ids go on from where the old sequences were, not from the largest id left: a deleted newest delivery's id (and
-- so its webhook-id, which receivers deduplicate on) is never given out again
SELECT setval('event_id_seq_v6', greatest(coalesce((SELECT max(id) FROM event_v5), 0),
              coalesce(pg_sequence_last_value(pg_get_serial_sequence('event_v5', 'id')::regclass), 0)) + 1, false);

INSERT INTO delivery (id, event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
                      attempt_limit, next_attempt_at, claim_token, lease_until, created_at)
SELECT d.id, d.event_id, e.accepted_at, d.webhook_id, p.application_id, d.status, d.attempt_count, d.attempt_limit,
       d.next_attempt_at, d.claim_token, d.lease_until, d.created_at
  FROM delivery_v5 d
  JOIN event_v5 e ON e.id = d.event_id
  JOIN webhook w ON w.id = d.webhook_id
  JOIN provider p ON p.id = w.provider_id
 WHERE d.status IN (0, 1);

INSERT INTO delivery_history (id, event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
                              created_at, finished_at)
SELECT d.id, d.event_id, e.accepted_at, d.webhook_id, p.application_id, d.status, d.attempt_count, d.created_at,
       d.finished_at
  FROM delivery_v5 d
  JOIN event_v5 e ON e.id = d.event_id
  JOIN webhook w ON w.id = d.webhook_id
  JOIN provider p ON p.id = w.provider_id
 WHERE d.status IN (2, 3);
SELECT setval(pg_get_serial_sequence('delivery', 'id'), greatest(coalesce((SELECT max(id) FROM delivery_v5), 0),
              coalesce(pg_sequence_last_value(pg_get_serial_sequence('delivery_v5', 'id')::regclass), 0)) + 1, false);

INSERT INTO delivery_attempt SELECT delivery_id, attempt_number, attempted_at, duration_ms, status_code, error,
                                    response_excerpt FROM delivery_attempt_v5;

SELECT herald_bridge_partitions(parent) FROM (VALUES ('event'), ('delivery_history'), ('delivery_attempt')) t(parent);

-- the old tables go, with the triggers that deleted attempts and deliveries by cascade: history is only ever
-- dropped whole (a deleted webhook's history stays, unreachable, until retention drops it)
DROP TABLE delivery_attempt_v5, delivery_v5, event_v5;

-- One view over both delivery tables, for operators and tests.
CREATE VIEW all_deliveries AS
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, NULL::timestamptz AS finished_at
      FROM delivery
    UNION ALL
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, finished_at
      FROM delivery_history;

-- ---- The writers of the delivery path, on the new tables ---------------------------------------------------

DROP FUNCTION herald_fan_out(int, int, int);
CREATE FUNCTION herald_fan_out(max_events int, max_deliveries int, attempts_per_delivery int)
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
              CROSS JOIN LATERAL (
                   SELECT w.id FROM webhook w
                    WHERE w.provider_id = e.provider_id AND w.status = 1 AND w.id > e.fan_out_cursor
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

-- Records a batch of attempt outcomes, as in V5; a delivery that ends moves to the history, and an attempt's start
-- is the database's clock less its age (how long ago the replica started it), so that it finds its partition.
DROP FUNCTION herald_complete(bigint[], bigint[], bigint[], smallint[], bigint[], boolean[], timestamptz[], int[],
                              smallint[], text[], text[], bigint[], boolean[]);
CREATE FUNCTION herald_complete(
    delivery_ids bigint[], webhook_ids bigint[], claim_tokens bigint[], new_statuses smallint[], retry_ms bigint[],
    sent boolean[], attempt_age_ms bigint[], duration_ms int[], status_codes smallint[], errors text[],
    excerpts text[], pause_ms bigint[], gone boolean[])
RETURNS TABLE (delivery_id bigint, status smallint)
LANGUAGE plpgsql AS $$
DECLARE
    retry_ids bigint[];
    final_ids bigint[];
    ended_ids bigint[];
    ended_endpoints bigint[];
    ended_pauses timestamptz[];
    ended_statuses smallint[];
    retry_endpoints bigint[];
    retry_due timestamptz[];
    gone_endpoints bigint[];
BEGIN
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(webhook_ids) ORDER BY e.webhook_id FOR UPDATE;
    -- a 410 switches its webhook off: that row next, before any delivery row
    PERFORM 1 FROM webhook w
     WHERE w.id IN (SELECT g.id FROM unnest(webhook_ids, gone) AS g(id, gone) WHERE g.gone)
     ORDER BY w.id FOR NO KEY UPDATE;
    -- the deliveries are found through the primary key (= ANY): the hot table churns, and a plan that scans it
    -- would slow down with every dead row vacuum has not removed yet
    SELECT array_agg(o.id) FILTER (WHERE o.new_status = 0), array_agg(o.id) FILTER (WHERE o.new_status IN (2, 3))
      INTO retry_ids, final_ids
      FROM unnest(delivery_ids, new_statuses) AS o(id, new_status);

    WITH outcome AS (
        SELECT * FROM unnest(delivery_ids, claim_tokens, new_statuses, retry_ms, sent, attempt_age_ms, duration_ms,
                             status_codes, errors, excerpts, pause_ms, gone)
            AS o(delivery_id, claim_token, new_status, retry_ms, sent, age_ms, duration_ms, status_code, error,
                 excerpt, pause_ms, gone)),
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
         WHERE d.id = ANY(retry_ids) AND o.new_status = 0 AND d.id = o.delivery_id AND d.claim_token = o.claim_token
           AND d.status = 1
     RETURNING d.id, d.webhook_id, d.attempt_count, 0::smallint AS status, d.next_attempt_at, o.sent, o.age_ms,
               o.duration_ms, o.status_code, o.error, o.excerpt, o.pause_ms, o.gone),
    finished AS (
        DELETE FROM delivery d USING outcome o
         WHERE d.id = ANY(final_ids) AND o.new_status IN (2, 3) AND d.id = o.delivery_id
           AND d.claim_token = o.claim_token AND d.status = 1
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at,
               o.new_status AS status, o.sent, o.age_ms, o.duration_ms, o.status_code, o.error, o.excerpt,
               o.pause_ms, o.gone),
    archived AS (
        INSERT INTO delivery_history (id, event_id, event_accepted_at, webhook_id, application_id, status,
                                      attempt_count, created_at, finished_at)
        SELECT f.id, f.event_id, f.event_accepted_at, f.webhook_id, f.application_id, f.status, f.attempt_count,
               f.created_at, clock_timestamp()
          FROM finished f),
    recorded AS (
        SELECT r.id, r.webhook_id, r.attempt_count, r.status, r.next_attempt_at, r.sent, r.age_ms, r.duration_ms,
               r.status_code, r.error, r.excerpt, r.pause_ms, r.gone FROM retried r
        UNION ALL
        SELECT f.id, f.webhook_id, f.attempt_count, f.status, NULL, f.sent, f.age_ms, f.duration_ms, f.status_code,
               f.error, f.excerpt, f.pause_ms, f.gone FROM finished f),
    attempts AS (
        INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, status_code, error,
                                      response_excerpt)
        SELECT r.id, r.attempt_count, clock_timestamp() - r.age_ms * interval '1 millisecond', r.duration_ms,
               r.status_code, r.error, r.excerpt
          FROM recorded r WHERE r.sent)
    SELECT array_agg(r.id), array_agg(r.webhook_id), array_agg(r.status),
           array_agg(CASE WHEN r.pause_ms IS NOT NULL THEN clock_timestamp() + r.pause_ms * interval '1 millisecond' END),
           array_agg(r.webhook_id) FILTER (WHERE r.status = 0),
           array_agg(r.next_attempt_at) FILTER (WHERE r.status = 0),
           array_agg(DISTINCT r.webhook_id) FILTER (WHERE r.gone)
      INTO ended_ids, ended_endpoints, ended_statuses, ended_pauses, retry_endpoints, retry_due, gone_endpoints
      FROM recorded r;

    IF ended_ids IS NULL THEN
        RETURN;
    END IF;
    IF gone_endpoints IS NOT NULL THEN
        UPDATE webhook SET status = 0, updated_on = clock_timestamp() WHERE id = ANY(gone_endpoints) AND webhook.status = 1;
    END IF;
    PERFORM herald_release_slots(ended_endpoints, array_fill(1, ARRAY[cardinality(ended_endpoints)]), ended_pauses);
    IF retry_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(retry_endpoints, retry_due);
    END IF;
    RETURN QUERY SELECT * FROM unnest(ended_ids, ended_statuses);
END $$;

-- Takes back claims whose lease ran out, as in V5; a delivery whose last attempt it was moves to the history.
CREATE OR REPLACE FUNCTION herald_reap_expired_leases(max_rows int, lease_ms bigint)
RETURNS TABLE (reaped int, failed int)
LANGUAGE plpgsql AS $$
DECLARE
    candidates bigint[];
    endpoints bigint[];
    reset_ids bigint[];
    reset_endpoints bigint[];
    ready_endpoints bigint[];
    failed_count int;
BEGIN
    SELECT array_agg(d.id), array_agg(DISTINCT d.webhook_id) INTO candidates, endpoints
      FROM (SELECT id, webhook_id FROM delivery
             WHERE delivery.status = 1 AND lease_until < clock_timestamp()
             ORDER BY id LIMIT max_rows) d;
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
     RETURNING d.id, d.webhook_id, d.attempt_count, 0 AS status),
    ended AS (
        DELETE FROM delivery d
         WHERE d.id = ANY(candidates) AND d.status = 1 AND d.lease_until < clock_timestamp()
           AND d.attempt_count >= d.attempt_limit
     RETURNING d.id, d.event_id, d.event_accepted_at, d.webhook_id, d.application_id, d.attempt_count, d.created_at),
    archived AS (
        INSERT INTO delivery_history (id, event_id, event_accepted_at, webhook_id, application_id, status,
                                      attempt_count, created_at, finished_at)
        SELECT id, event_id, event_accepted_at, webhook_id, application_id, 3, attempt_count, created_at,
               clock_timestamp()
          FROM ended),
    reset AS (
        SELECT id, webhook_id, attempt_count, status FROM retried
        UNION ALL SELECT id, webhook_id, attempt_count, 3 FROM ended),
    logged AS (
        INSERT INTO delivery_attempt (delivery_id, attempt_number, attempted_at, duration_ms, error)
        SELECT id, attempt_count, clock_timestamp() - lease_ms * interval '1 millisecond', 0, 'lease expired'
          FROM reset)
    SELECT array_agg(id), array_agg(webhook_id), array_agg(webhook_id) FILTER (WHERE reset.status = 0),
           count(*) FILTER (WHERE reset.status = 3)
      INTO reset_ids, reset_endpoints, ready_endpoints, failed_count
      FROM reset;
    IF reset_ids IS NULL THEN
        RETURN QUERY SELECT 0, 0;
        RETURN;
    END IF;
    PERFORM herald_release_slots(reset_endpoints, array_fill(1, ARRAY[cardinality(reset_endpoints)]),
                                 array_fill(NULL::timestamptz, ARRAY[cardinality(reset_endpoints)]));
    IF ready_endpoints IS NOT NULL THEN
        PERFORM herald_wake_endpoints(ready_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(ready_endpoints)]));
    END IF;
    RETURN QUERY SELECT cardinality(reset_ids), failed_count;
END $$;

-- Sends FAILED deliveries of an application again (replay): they move from the history back to the hot table with
-- the same id (the same webhook-id), `attempts` fresh attempts each, due at once, endpoints woken. Only
-- candidates still FAILED, of that application and finished since `not_before` (within retention), move.
DROP FUNCTION herald_replay(bigint[], int);
CREATE FUNCTION herald_replay(p_application int, candidates bigint[], not_before timestamptz, attempts int)
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
        SELECT id, event_id, event_accepted_at, webhook_id, application_id, 0, attempt_count, attempt_count + attempts,
               clock_timestamp(), created_at
          FROM moved
     RETURNING id, webhook_id)
    SELECT array_agg(id ORDER BY id), array_agg(webhook_id) INTO replayed_ids, replayed_endpoints FROM revived;
    IF replayed_ids IS NULL THEN
        RETURN;
    END IF;
    PERFORM herald_wake_endpoints(replayed_endpoints, array_fill(clock_timestamp(), ARRAY[cardinality(replayed_endpoints)]));
    PERFORM pg_notify('herald_dispatch', '');
    RETURN QUERY SELECT unnest(replayed_ids);
END $$;

-- The hot path finds its rows by key, and statistics mislead it: the hot table churns, and a partition that just
-- became current reads as nearly empty until it is analyzed, so the planner scanned it whole for each of 500
-- events of a fan-out (300 ms a call, once a partition, in the soak benchmark). These functions never scan.
ALTER FUNCTION herald_fan_out(int, int, int) SET enable_seqscan = off;
ALTER FUNCTION herald_complete(bigint[], bigint[], bigint[], smallint[], bigint[], boolean[], bigint[], int[],
                               smallint[], text[], text[], bigint[], boolean[]) SET enable_seqscan = off;
ALTER FUNCTION herald_reap_expired_leases(int, bigint) SET enable_seqscan = off;
