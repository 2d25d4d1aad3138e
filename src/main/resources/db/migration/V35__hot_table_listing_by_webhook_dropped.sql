-- Every delivery wrote an entry into each of the hot table's five indexes. The listing by webhook only served the
-- attempt log's listings of a webhook's deliveries not yet final, and two indexes serve those: every listing is of
-- one application, so a webhook's is read newest first through the listing by application, or through the queue
-- index (which starts with the webhook) when that webhook holds few of its application's waiting deliveries. On
-- 300,000 waiting at one webhook and 4,900 at 49 others of one application, a page of 50 took 0.3-0.7 ms either way.
-- The listing by event stays: without it an event's listing read its application's whole backlog (45 ms at
-- 300,000), and recovery's check for deliveries already made read a webhook's whole backlog for each slice of events.
-- The listing by application stays too: without it a page of an application's deliveries read all of its waiting
-- ones (94 ms against 0.3 ms at 300,000).
DROP INDEX delivery_of_webhook_idx;
