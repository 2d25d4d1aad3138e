-- The health job's fold (herald_record_health, db/functions/health.sql) reads each webhook's health row once more
-- than it needs to no longer: what remains of the stored run of failures is computed in the update from the row
-- itself. herald_minute (db/functions/common.sql) is declared STABLE, as its body is, so that it is inlined. No
-- table changes: this version keeps replicas of the previous build from putting their function files back.
COMMENT ON TABLE endpoint_health IS 'Each webhook''s health, folded from the delivery log: herald_record_health (health.sql)';
