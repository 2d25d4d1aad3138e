-- Tenant isolation (README, "Tenant isolation").
--
-- Fan-out takes applications in turn: each event carries its application, filled from its provider by a trigger
-- (db/functions/fan_out.sql) when a producer's INSERT leaves it out (0), and waiting events are found per
-- application. 0 is also what events fanned out before this column existed read as.
ALTER TABLE event ADD COLUMN application_id integer NOT NULL DEFAULT 0;
UPDATE event e SET application_id = p.application_id
  FROM provider p WHERE p.id = e.provider_id AND e.fanned_out_at IS NULL;
CREATE INDEX event_waiting_by_application_idx ON event (application_id, id) WHERE fanned_out_at IS NULL;
DROP INDEX event_waiting_fan_out_idx;

-- Claims take applications in turn too, and pass over those holding their share of a replica's slots: each endpoint
-- row carries its application. Registration makes the row; every webhook gets one now.
ALTER TABLE endpoint_state ADD COLUMN application_id integer NOT NULL DEFAULT 0;
INSERT INTO endpoint_state (webhook_id) SELECT id FROM webhook ON CONFLICT (webhook_id) DO NOTHING;
UPDATE endpoint_state e SET application_id = p.application_id
  FROM webhook w JOIN provider p ON p.id = w.provider_id WHERE w.id = e.webhook_id;

-- An event whose fan-out fails (a row PostgreSQL cannot compare, whatever the cause) is set aside with its error,
-- out of the way of every other event, until the operator sends it again (retrySetAsideEvents).
ALTER TABLE event ADD COLUMN fan_out_error text,
                  ADD COLUMN set_aside_at timestamptz;
CREATE INDEX event_set_aside_idx ON event (set_aside_at) WHERE fan_out_error IS NOT NULL;

-- herald_fan_out also answers the events it set aside
DROP FUNCTION herald_fan_out(int, int, int);

-- Per-application limits set by the admin (NULL: the deployment's default, herald.tenancy.* and herald.ingest.*).
ALTER TABLE application ADD COLUMN max_webhooks integer CHECK (max_webhooks >= 0),
                        ADD COLUMN max_events_per_request integer CHECK (max_events_per_request >= 1),
                        ADD COLUMN max_events_per_second integer CHECK (max_events_per_second >= 1);

-- Each application's ingest allowance, a token bucket shared by every replica: `tokens` events may be accepted at
-- `refreshed_at`, refilled at the application's rate up to one second's worth.
CREATE TABLE ingest_allowance (
    application_id integer          PRIMARY KEY REFERENCES application (id) ON DELETE CASCADE,
    tokens         double precision NOT NULL,
    refreshed_at   timestamptz      NOT NULL
) WITH (fillfactor = 50);
