-- A receiver (the endpoint a URL names) is charged by claims only once two or more webhooks name it: until then its
-- one webhook's endpoint row holds the same counts, under caps at least as low, and charging the receiver row too
-- wrote it twice a delivery. herald_share_receiver (db/functions/receivers.sql) makes a receiver shared, for good,
-- when a second webhook names it, charged with what its webhooks have in flight and have started.
ALTER TABLE receiver ADD COLUMN shared boolean NOT NULL DEFAULT false;
UPDATE receiver r SET shared = true WHERE (SELECT count(*) FROM webhook w WHERE w.receiver_id = r.id) > 1;
-- what its one webhook started is in that webhook's endpoint row: the receiver is charged from those when it becomes
-- shared, and its deliveries in flight that a claim charged here give their slots back as they end
UPDATE receiver SET window_starts = '{}' WHERE NOT shared;
