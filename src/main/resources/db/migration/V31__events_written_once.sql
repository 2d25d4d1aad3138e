-- Events are written once: the producer's INSERT is the event row's only write. What fan-out has still to do lives
-- in a narrow queue beside the outbox, one row per event waiting, deleted when the event is fanned out (a cursor
-- of the last webhook done, while an event with more webhooks than one call makes takes several). Rewriting the
-- whole event row to mark it fanned out took a new tuple and two index entries per event.
--
-- The switch itself (the trigger that fills this queue replacing the one that only notified, the events still
-- waiting copied in, `fanned_out_at` dropped) is made by db/functions/fan_out.sql in the transaction that puts the
-- new fan-out in place: until then the previous fan-out goes on as it was, and no event falls between the two.
CREATE TABLE event_pending (
    application_id    integer     NOT NULL,  -- fan-out takes applications in turn: their waiting events by this key
    event_id          bigint      NOT NULL,
    event_accepted_at timestamptz NOT NULL,  -- finds the event's partition
    fan_out_cursor    bigint      NOT NULL DEFAULT 0,
    CONSTRAINT event_pending_pkey PRIMARY KEY (application_id, event_id)
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0);
