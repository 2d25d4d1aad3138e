-- Order per notification: a webhook with `ordering` 1 (BY_NOTIFICATION; 0 UNORDERED) takes the deliveries of one
-- notification (the payload's `id`) one at a time, in the order of their events. Each such delivery carries that id
-- as its `ordering_key` (NULL: unordered); a claim passes over one while an earlier delivery with the same key to the
-- same webhook is still in the hot table (pending, in flight or held), and the partial index finds that earlier one.
-- Claims change none of its columns, so they stay heap-only updates (V20).
ALTER TABLE webhook ADD COLUMN ordering smallint NOT NULL DEFAULT 0 CHECK (ordering IN (0, 1));
ALTER TABLE delivery ADD COLUMN ordering_key text;
CREATE INDEX delivery_ordering_idx ON delivery (webhook_id, ordering_key, event_id) WHERE ordering_key IS NOT NULL;
