-- Every delivery wrote an entry into each of the hot table's five indexes. Two of them only served the attempt log's
-- listings of deliveries not yet final, by webhook and by event, and the listing index by application serves both:
-- every listing is of one application, so a listing reads that application's own waiting deliveries and no one
-- else's. A webhook's listing is read newest first through it (or through the queue index, which starts with the
-- webhook, when that webhook holds few of them); an event's reads its application's waiting deliveries, a cost
-- bounded by that application's own backlog (45 ms at 300,000 waiting, measured). Recovery's check for deliveries
-- already made reads the webhook's waiting deliveries once, through the queue index (a hash anti-join).
-- The listing index by application stays: without it, a page of an application's deliveries reads all of that
-- application's waiting ones (94 ms against 0.3 ms at 300,000, measured).
DROP INDEX delivery_of_webhook_idx;
DROP INDEX delivery_of_event_idx;
