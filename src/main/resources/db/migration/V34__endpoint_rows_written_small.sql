-- Claims, completions and wakes rewrite a webhook's endpoint row several times a delivery, and an update that stays
-- on its page writes to the WAL only the bytes from the first that changed to the last. The window of start times,
-- which only claims and test events change, now comes last: a completion (its in-flight count) or a wake (its due
-- time) writes a few bytes instead of the whole window (up to 100 start times, 800 bytes, at the default cap). The
-- same columns in a new order: the table is made again (one row per webhook).
CREATE TABLE endpoint_state_v34 (
    webhook_id     bigint        PRIMARY KEY REFERENCES webhook (id) ON DELETE CASCADE,
    application_id integer       NOT NULL DEFAULT 0,
    paused_until   timestamptz,
    test_until     timestamptz,
    next_check_at  timestamptz   NOT NULL DEFAULT 'infinity',
    in_flight      integer       NOT NULL DEFAULT 0 CHECK (in_flight >= 0),
    window_starts  timestamptz[] NOT NULL DEFAULT '{}'
) WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 100);
LOCK TABLE endpoint_state IN ACCESS EXCLUSIVE MODE;
INSERT INTO endpoint_state_v34 (webhook_id, application_id, paused_until, test_until, next_check_at, in_flight,
                                window_starts)
SELECT webhook_id, application_id, paused_until, test_until, next_check_at, in_flight, window_starts
  FROM endpoint_state;
DROP TABLE endpoint_state;
ALTER TABLE endpoint_state_v34 RENAME TO endpoint_state;
ALTER INDEX endpoint_state_v34_pkey RENAME TO endpoint_state_pkey;
ALTER TABLE endpoint_state RENAME CONSTRAINT endpoint_state_v34_webhook_id_fkey TO endpoint_state_webhook_id_fkey;
ALTER TABLE endpoint_state RENAME CONSTRAINT endpoint_state_v34_in_flight_check TO endpoint_state_in_flight_check;
CREATE INDEX endpoint_state_due_idx ON endpoint_state (next_check_at);
