-- Fan-out reads each waiting event's event_pending row once, where it locks it by its whole key: herald_fan_out
-- passes each event's cursor to herald_fan_out_events (db/functions/fan_out.sql, which drops the form without it),
-- and that no longer joins event_pending, which stale statistics made quadratic in the events. No table changes:
-- this version keeps replicas of the previous build from putting their function files back.
COMMENT ON TABLE event_pending IS 'Events waiting for fan-out, locked by (application_id, event_id): herald_fan_out (fan_out.sql)';
