-- Requests to POST /v1/events are taken in by groups, one statement and one commit for many (herald_ingest,
-- db/functions/ingest.sql), and the ingest allowance is taken for several requests at once
-- (herald_take_ingest_allowances, db/functions/quota.sql). No table changes: this version keeps replicas of the
-- previous build from putting their function files back.
COMMENT ON TABLE ingest_allowance IS 'Each application''s ingest bucket: herald_take_ingest_allowances (quota.sql)';
