-- Where S3's deliveries spent their time, per stage: fan-out (acceptance to the delivery row), the wait for a claim
-- (the row to the attempt) and the POST, each at the p99. Run while bench/run runs, on the port of its
-- "[bench] starting PostgreSQL" line:
--   psql -h 127.0.0.1 -p PORT -U postgres -v from=MS -v to=MS -f bench/s3-stages.sql
-- with `from` and `to` S3's first arrival and a minute later in epoch ms (the sink's /_stats, firstMs).
-- Grouped by date_trunc('second', l.event_accepted_at) with avg, it shows where a stretch of late arrivals waited.
SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM l.created_at - l.event_accepted_at)) * 1000
           AS fan_out,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM l.attempted_at - l.created_at)) * 1000
           AS to_claim,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY l.duration_ms) AS post
  FROM delivery_log l
 WHERE l.attempt_count = 1 AND l.attempted_at IS NOT NULL
   AND l.event_accepted_at BETWEEN to_timestamp(:from / 1000.0) AND to_timestamp(:to / 1000.0);
