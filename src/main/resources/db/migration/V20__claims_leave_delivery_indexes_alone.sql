-- A claim changes a delivery's status, attempt count, claim token, lease and receiver. While an index named any of
-- those (the queue index's `WHERE status = 0`, the leased index), every claim wrote a new entry into each of the hot
-- table's indexes. With none of them indexed, a claim is a heap-only (HOT) update: the row's new version goes on
-- its page and no index changes. The queue index now holds deliveries in flight too (at most an endpoint's in-flight
-- cap of them, ahead of its ready ones); deliveries in flight are found through their endpoints
-- (herald_in_flight, leases.sql). A new version goes on its row's page only while that page has room, and a page's
-- rows are claimed soon after one another, before the old versions can be pruned: inserted at 40 % (32 rows of 100
-- bytes), a page has room for every one of its rows' claimed versions (116 bytes: claim token, lease and receiver
-- set). The hot table holds only what is not yet final, so the space this takes is small.
DROP INDEX delivery_due_idx;
DROP INDEX delivery_leased_idx;
CREATE INDEX delivery_queue_idx ON delivery (webhook_id, next_attempt_at, id);
ALTER TABLE delivery SET (fillfactor = 40);
