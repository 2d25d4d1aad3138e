-- The backlog over the last hour, for the operator's chart (OperatorOverview.minutes): the database gauges
-- (dev.herald.metrics.DatabaseGauges) write each reading into its minute's row, so a minute keeps its last one, and
-- drop minutes older than an hour as they do. At most 60 rows; every replica reads the same cluster-wide backlog.
CREATE TABLE backlog_minute (
    minute  bigint PRIMARY KEY,  -- minutes since the epoch (herald_minute)
    backlog bigint NOT NULL      -- deliveries not yet final for webhooks that are on (herald_outbox_backlog)
);
