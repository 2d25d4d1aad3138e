-- Idempotent ingest (README, "Idempotent ingest"). A producer that retries after a lost answer must not make two
-- sets of events (and so two webhook-ids for one notification).
--
-- The keys live in a table of their own, not as a unique index on `event`: `event` is partitioned by acceptance
-- time, and PostgreSQL's unique indexes on a partitioned table must contain the partition key, so a key could be
-- repeated in another partition. One row per key and application, while it is remembered (at least
-- herald.ingest.idempotency-window); Herald deletes expired keys in small batches (dev.herald.ingest).
CREATE TABLE event_idempotency (
    application_id  integer     NOT NULL REFERENCES application (id) ON DELETE CASCADE,
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    body_sha256     bytea,               -- of the request body (REST); NULL for a producer's own INSERT
    event_ids       bigint[],            -- the events the key made (REST)
    accepted_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (application_id, idempotency_key)
) WITH (autovacuum_vacuum_scale_factor = 0.02);
CREATE INDEX event_idempotency_expiry_idx ON event_idempotency (accepted_at);

-- which key an event came with, for operators: nullable, no rewrite of the partitions
ALTER TABLE event ADD COLUMN idempotency_key text;
