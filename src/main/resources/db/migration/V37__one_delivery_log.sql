-- The history (a row per finished delivery, six indexes) and the attempts (a row per attempt, one index) become one
-- append-only log: a row per attempt, and the row of the attempt that ended its delivery carries the outcome. A
-- delivery delivered at its first attempt writes one row with three index entries, where it wrote two rows with four.
--   status     0: the delivery went on after this row (a retry, or a replay of a FAILED one); 2 DELIVERED; 3 FAILED
--   attempted_at NULL: no request was made (a delivery that ended without one); the row only carries the outcome
--   logged_at  when the row was written (for an outcome, when the delivery finished): the partition key
-- Every row enters three B-trees, one per listing: by application and by webhook, each newest first (the one by
-- webhook also finds a listed delivery's attempts, whose webhook and creation time are known), and by event (also
-- recovery's check for deliveries already made). Two were tried: an application's listings, read webhook by
-- webhook, took 0.4-1.1 s a page (p95) at 1,000 webhooks and 33 partitions (a probe per webhook and partition);
-- with their own index, 24-84 ms (bench/run quick attemptlog). A
-- FAILED row also enters three small partial ones (the failed listings and replay; retention's oldest replayable
-- event). The BRIN indexes, a few bytes per range of pages and no entry per row, find the health job's attempts (by
-- writing transaction) and a delivery by id: the log is written in about the order deliveries are made, and
-- minmax-multi keeps a range's few late ones apart.
-- `delivery_history` and `delivery_attempt` remain as views of it, for reading.
CREATE TABLE delivery_log (
    delivery_id       bigint      NOT NULL,
    event_id          bigint      NOT NULL,
    webhook_id        bigint      NOT NULL,
    event_accepted_at timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    logged_at         timestamptz NOT NULL,
    logged_by         bigint,
    attempted_at      timestamptz,
    application_id    integer     NOT NULL,
    attempt_count     integer     NOT NULL,
    duration_ms       integer,
    status            smallint    NOT NULL CHECK (status IN (0, 2, 3)),
    status_code       smallint,
    succeeded         boolean,
    error             text,
    response_excerpt  text
) PARTITION BY RANGE (logged_at);
-- writers wait while the rows move (a completion, a claim and a replay lock `delivery`, a completion next the
-- history); then the history's chain of partitions, for the log: the same ranges, the same retention
LOCK TABLE delivery, delivery_history, delivery_attempt IN SHARE MODE;
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT lower, upper FROM herald_partition WHERE parent = 'delivery_history' ORDER BY lower LOOP
        PERFORM herald_create_partition('delivery_log', p.lower, p.upper);
    END LOOP;
END $$;

-- Every attempt once, in one pass: the one that ended a finished delivery (its last, by number then time, numbered
-- as the delivery's attempts) carries the outcome; the others, of finished deliveries and of those not yet final,
-- say the delivery went on. A finished delivery without its ending attempt (none, or it ended without a request
-- after them) gets a row of its own. Attempts of deliveries gone (their webhook deleted) could not be listed, and
-- go. An attempt is logged when it ended, kept within the chain: the attempt log's partitions were made and
-- dropped apart from the history's.
WITH delivery_of AS (
    SELECT id, event_id, webhook_id, event_accepted_at, created_at, application_id, NULL::smallint AS status,
           NULL::int AS attempt_count, NULL::timestamptz AS finished_at
      FROM delivery
    UNION ALL
    SELECT id, event_id, webhook_id, event_accepted_at, created_at, application_id, status, attempt_count,
           finished_at
      FROM delivery_history),
attempt AS (
    SELECT d.id, d.event_id, d.webhook_id, d.event_accepted_at, d.created_at, d.application_id, d.finished_at,
           d.status AS outcome, a.attempt_number, a.attempted_at, a.duration_ms, a.status_code, a.error,
           a.response_excerpt, a.succeeded, a.logged_by,
           d.status IS NOT NULL AND a.attempt_number = d.attempt_count
               AND row_number() OVER (PARTITION BY a.delivery_id
                                      ORDER BY a.attempt_number DESC, a.attempted_at DESC) = 1 AS ending
      FROM delivery_attempt a JOIN delivery_of d ON d.id = a.delivery_id),
chain AS (
    SELECT min(lower) AS lower, max(upper) - interval '1 microsecond' AS last FROM herald_partition
     WHERE parent = 'delivery_log')
INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at, logged_at, logged_by,
                          attempted_at, application_id, attempt_count, duration_ms, status, status_code, succeeded,
                          error, response_excerpt)
SELECT a.id, a.event_id, a.webhook_id, a.event_accepted_at, a.created_at,
       CASE WHEN a.ending THEN a.finished_at
            ELSE greatest(chain.lower, least(a.attempted_at + a.duration_ms * interval '1 millisecond',
                                             clock_timestamp(), chain.last)) END,
       a.logged_by, a.attempted_at, a.application_id, a.attempt_number, a.duration_ms,
       CASE WHEN a.ending THEN a.outcome ELSE 0 END, a.status_code, a.succeeded, a.error, a.response_excerpt
  FROM attempt a, chain
UNION ALL
SELECT h.id, h.event_id, h.webhook_id, h.event_accepted_at, h.created_at, h.finished_at, NULL, NULL,
       h.application_id, h.attempt_count, NULL, h.status, NULL, NULL, NULL, NULL
  FROM delivery_history h
 WHERE NOT EXISTS (SELECT 1 FROM attempt a WHERE a.id = h.id AND a.ending);

-- the indexes, built once the rows are in
CREATE INDEX delivery_log_of_application_idx ON delivery_log (application_id, created_at, delivery_id);
CREATE INDEX delivery_log_of_webhook_idx ON delivery_log (webhook_id, created_at, delivery_id);
CREATE INDEX delivery_log_of_event_idx ON delivery_log (event_id, created_at, delivery_id);
CREATE INDEX delivery_log_failed_of_application_idx ON delivery_log (application_id, created_at, delivery_id)
    WHERE status = 3;
CREATE INDEX delivery_log_failed_of_webhook_idx ON delivery_log (webhook_id, created_at, delivery_id)
    WHERE status = 3;
CREATE INDEX delivery_log_replayable_event_idx ON delivery_log (event_accepted_at) WHERE status = 3;
CREATE INDEX delivery_log_logged_by_idx ON delivery_log USING brin (logged_by)
    WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX delivery_log_of_delivery_idx ON delivery_log USING brin (delivery_id int8_minmax_multi_ops)
    WITH (pages_per_range = 32, autosummarize = on);

DROP VIEW all_deliveries;
DROP TABLE delivery_history, delivery_attempt;
DELETE FROM herald_partition WHERE parent IN ('delivery_history', 'delivery_attempt');

-- The views are for reading: each joins the log with one empty row, which PostgreSQL's planner removes and which
-- makes the view not updatable, so a write through it (by a replica still running the function files of the
-- previous build, until this build's replace them) is refused instead of deleting or half-writing a log row.
-- Finished deliveries: the rows that carry an outcome.
CREATE VIEW delivery_history AS
    SELECT l.delivery_id AS id, l.event_id, l.event_accepted_at, l.webhook_id, l.application_id, l.status,
           l.attempt_count, l.created_at, l.logged_at AS finished_at
      FROM delivery_log l, (SELECT) AS read_only
     WHERE l.status IN (2, 3);
-- Attempts: the rows of a request made.
CREATE VIEW delivery_attempt AS
    SELECT l.delivery_id, l.attempt_count AS attempt_number, l.attempted_at, l.duration_ms, l.status_code, l.error,
           l.response_excerpt, l.webhook_id, l.succeeded, l.logged_by
      FROM delivery_log l, (SELECT) AS read_only
     WHERE l.attempted_at IS NOT NULL;
-- One view over both delivery tables, for operators and tests.
CREATE VIEW all_deliveries AS
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, NULL::timestamptz AS finished_at
      FROM delivery
    UNION ALL
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, finished_at
      FROM delivery_history;
