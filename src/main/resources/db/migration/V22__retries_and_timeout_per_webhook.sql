-- A webhook's own retry schedule (the waits after its 1st, 2nd, ... failure, in ms), retry jitter (a fraction) and
-- attempt timeout (ms); NULL: the deployment's herald.delivery.retry-schedule, no jitter, herald.delivery.timeout.
-- A delivery's attempt limit comes from its webhook's schedule when it is made or replayed (fan_out.sql,
-- replay.sql); claims and test events answer the three settings with what they take, so their result types change
-- (IF EXISTS: on a new database the function files, which come after the migrations, have not made them yet).
ALTER TABLE webhook ADD COLUMN retry_schedule_ms integer[],
                    ADD COLUMN retry_jitter real,
                    ADD COLUMN timeout_ms integer;
DROP FUNCTION IF EXISTS herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint);
DROP FUNCTION IF EXISTS herald_start_test(bigint, int, int, int, bigint, bigint);
