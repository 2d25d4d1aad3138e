-- Webhook health is an aggregate of the attempt log, folded in off the hot path (herald_aggregate_health, a periodic
-- job under an advisory lock), not rewritten by every completion. Each attempt the receiver had a part in carries
-- what health needs: its webhook and whether it succeeded (NULL: Herald refused or could not make the request, which
-- says nothing about the receiver). `logged_by` is the writing transaction's id as a bigint: the job takes the
-- attempts of transactions below the oldest one still running, which have all ended, so an attempt committed late
-- by an older transaction is never skipped. A BRIN index finds them: a few bytes per 32 pages, no entry per row.
-- The new columns have no default, so adding them rewrites nothing; rows logged before carry NULLs and stay out.
ALTER TABLE delivery_attempt ADD COLUMN webhook_id bigint, ADD COLUMN succeeded boolean, ADD COLUMN logged_by bigint;
CREATE INDEX delivery_attempt_logged_by_idx ON delivery_attempt USING brin (logged_by)
    WITH (pages_per_range = 32, autosummarize = on);

-- Where the job goes on: attempts of transactions from this id on are not yet in the health. The completions that
-- log `logged_by` run the function files applied after this migration, in later transactions.
CREATE TABLE health_watermark (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    logged_before bigint  NOT NULL
);
INSERT INTO health_watermark (logged_before) VALUES (pg_current_xact_id()::text::bigint);
