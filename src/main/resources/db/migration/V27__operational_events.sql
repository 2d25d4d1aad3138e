-- Operational events: what Herald tells a tenant about its own webhooks (operational.sql). Each application may have
-- one operational provider, made with its first operational webhook: the events about its webhooks are events of
-- that provider, fanned out to the webhooks registered on it for their types like any other event. Tenants never
-- see the provider itself: ingest and registration on a provider refuse it, listings leave it out.
ALTER TABLE provider ADD COLUMN operational boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX provider_operational_idx ON provider (application_id) WHERE operational;

-- The types an event is of (NULL: an OsmoX notification) and those a webhook subscribes to (NULL: every event of its
-- provider). Neither has a default, so adding them rewrites nothing.
ALTER TABLE event ADD COLUMN event_type text;
ALTER TABLE webhook ADD COLUMN event_types text[];

-- The start of the run of failures that was announced as webhook.failing: a success after it announces
-- webhook.recovered and clears it.
ALTER TABLE endpoint_health ADD COLUMN announced_failing_since timestamptz;

-- The health job is told when a run of failures is announced, so its signature changes (on a new database the
-- function files, which come after the migrations, have not made it yet: dropped only where it exists).
DO $$
BEGIN
    IF to_regprocedure('herald_aggregate_health(int)') IS NOT NULL THEN
        DROP FUNCTION herald_aggregate_health(int);
    END IF;
END $$;
