-- The history (a row per finished delivery, six indexes) and the attempts (a row per attempt, one index) become one
-- append-only log: a row per attempt, and the row of the attempt that ended its delivery carries the outcome. A
-- delivery delivered at its first attempt writes one row with three index entries, where it wrote two rows with four.
--   status     0: the delivery went on after this row (a retry, or a replay of a FAILED one); 2 DELIVERED; 3 FAILED
--   attempted_at NULL: no request was made (a delivery that ended without one); the row only carries the outcome
--   logged_at  when the row was written (for an outcome, when the delivery finished): the partition key
-- Every row enters three B-trees, one per listing, each newest first: by application, by webhook (also the attempts
-- of a listed delivery, whose webhook and creation time are known) and by event (also recovery's check for
-- deliveries already made). Two were tried: an application's listing read webhook by webhook took 0.5-0.9 s a page
-- at 1,000 webhooks and 33 partitions (a probe per webhook and partition), against 14-49 ms with its own index. A
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
CREATE INDEX delivery_log_of_application_idx ON delivery_log (application_id, created_at, delivery_id);
CREATE INDEX delivery_log_of_webhook_idx ON delivery_log (webhook_id, created_at, delivery_id);
CREATE INDEX delivery_log_of_event_idx ON delivery_log (event_id, webhook_id);
CREATE INDEX delivery_log_failed_of_application_idx ON delivery_log (application_id, created_at, delivery_id)
    WHERE status = 3;
CREATE INDEX delivery_log_failed_of_webhook_idx ON delivery_log (webhook_id, created_at, delivery_id)
    WHERE status = 3;
CREATE INDEX delivery_log_replayable_event_idx ON delivery_log (event_accepted_at) WHERE status = 3;
CREATE INDEX delivery_log_logged_by_idx ON delivery_log USING brin (logged_by)
    WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX delivery_log_of_delivery_idx ON delivery_log USING brin (delivery_id int8_minmax_multi_ops)
    WITH (pages_per_range = 32, autosummarize = on);

-- the history's chain of partitions, for the log: the same ranges, the same retention
DO $$
DECLARE
    p record;
BEGIN
    FOR p IN SELECT lower, upper FROM herald_partition WHERE parent = 'delivery_history' ORDER BY lower LOOP
        PERFORM herald_create_partition('delivery_log', p.lower, p.upper);
    END LOOP;
END $$;

LOCK TABLE delivery, delivery_history, delivery_attempt IN SHARE MODE;
-- finished deliveries, each with the attempt that ended it (none: it ended without a request)
INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at, logged_at, logged_by,
                          attempted_at, application_id, attempt_count, duration_ms, status, status_code, succeeded,
                          error, response_excerpt)
SELECT h.id, h.event_id, h.webhook_id, h.event_accepted_at, h.created_at, h.finished_at, a.logged_by,
       a.attempted_at, h.application_id, h.attempt_count, a.duration_ms, h.status, a.status_code, a.succeeded,
       a.error, a.response_excerpt
  FROM delivery_history h
  LEFT JOIN LATERAL (SELECT * FROM delivery_attempt a
                      WHERE a.delivery_id = h.id AND a.attempt_number = h.attempt_count
                      ORDER BY a.attempted_at DESC LIMIT 1) a ON true;
-- the other attempts, of finished deliveries and of those not yet final; those of deliveries gone (their webhook
-- deleted) could not be listed and go
INSERT INTO delivery_log (delivery_id, event_id, webhook_id, event_accepted_at, created_at, logged_at, logged_by,
                          attempted_at, application_id, attempt_count, duration_ms, status, status_code, succeeded,
                          error, response_excerpt)
SELECT a.delivery_id, d.event_id, d.webhook_id, d.event_accepted_at, d.created_at,
       least(a.attempted_at + a.duration_ms * interval '1 millisecond', clock_timestamp()), a.logged_by,
       a.attempted_at, d.application_id, a.attempt_number, a.duration_ms, 0, a.status_code, a.succeeded, a.error,
       a.response_excerpt
  FROM delivery_attempt a
  JOIN (SELECT id, event_id, webhook_id, event_accepted_at, created_at, application_id, NULL::int AS final_attempt
          FROM delivery
        UNION ALL
        SELECT id, event_id, webhook_id, event_accepted_at, created_at, application_id, attempt_count
          FROM delivery_history) d ON d.id = a.delivery_id
 WHERE a.attempt_number IS DISTINCT FROM d.final_attempt
    OR a.attempted_at < (SELECT max(f.attempted_at) FROM delivery_attempt f  -- the ending one is copied above
                          WHERE f.delivery_id = a.delivery_id AND f.attempt_number = d.final_attempt);

DROP VIEW all_deliveries;
DROP TABLE delivery_history, delivery_attempt;
DELETE FROM herald_partition WHERE parent IN ('delivery_history', 'delivery_attempt');

-- Finished deliveries: the rows that carry an outcome.
CREATE VIEW delivery_history AS
    SELECT delivery_id AS id, event_id, event_accepted_at, webhook_id, application_id, status, attempt_count,
           created_at, logged_at AS finished_at
      FROM delivery_log
     WHERE status IN (2, 3);
-- Attempts: the rows of a request made.
CREATE VIEW delivery_attempt AS
    SELECT delivery_id, attempt_count AS attempt_number, attempted_at, duration_ms, status_code, error,
           response_excerpt, webhook_id, succeeded, logged_by
      FROM delivery_log
     WHERE attempted_at IS NOT NULL;
-- One view over both delivery tables, for operators and tests.
CREATE VIEW all_deliveries AS
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, NULL::timestamptz AS finished_at
      FROM delivery
    UNION ALL
    SELECT id, event_id, webhook_id, application_id, status, attempt_count, created_at, finished_at
      FROM delivery_history;
