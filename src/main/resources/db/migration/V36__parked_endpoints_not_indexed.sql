-- A claim that leaves an endpoint with nothing to send parks it (due never, 'infinity': new work or a completion
-- wakes it), and a wake makes it due again: two changes of its due time a delivery when it has one at a time. Each
-- changes an indexed column, so the row's new version has entries in both of the table's indexes. Parked endpoints,
-- which are most of them, are now left out of the index of due times: parking writes an entry into the primary key
-- only, and the claims' scan for due endpoints reads a smaller index.
DROP INDEX endpoint_state_due_idx;
CREATE INDEX endpoint_state_due_idx ON endpoint_state (next_check_at) WHERE next_check_at < 'infinity';
