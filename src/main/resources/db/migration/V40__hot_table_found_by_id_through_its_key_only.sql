-- A delivery is looked up by id (completions, lease expiry, replay, the attempt log) through the hot table's
-- primary key only. While the queue index and the two listing indexes ended with the id too, statistics taken
-- when the table was drained (reltuples 0: as autovacuum finds it between bursts) made the planner read a whole
-- one of them for `id = ANY(...)` instead: estimated cheaper than a descent of the primary key per id, and in fact
-- a read of every waiting delivery's entry, for each completion of a burst until the next ANALYZE. The listings
-- and claims that ordered by the id after a time now sort the few rows of the same time (an incremental sort);
-- created_at and next_attempt_at are set by clock_timestamp(), so such ties are rare. For the same statistics,
-- herald_recover_webhook (db/functions/replay.sql) looks up a webhook's delivery of each event by the event, one
-- lookup per event: joined, each slice of a recovery read the webhook's whole backlog, or compared each event with
-- each of its rows. And herald_claim (db/functions/claim.sql) looks up the room of each endpoint's receiver and
-- application once per endpoint: its generic plan joined them with each candidate delivery pairwise.
DROP INDEX delivery_queue_idx;
CREATE INDEX delivery_queue_idx ON delivery (webhook_id, next_attempt_at);
DROP INDEX delivery_of_application_idx;
CREATE INDEX delivery_of_application_idx ON delivery (application_id, created_at);
DROP INDEX delivery_of_event_idx;
CREATE INDEX delivery_of_event_idx ON delivery (event_id, created_at);
