-- A webhook's own retry schedule (the waits after its 1st, 2nd, ... failure, in ms), retry jitter (a fraction) and
-- attempt timeout (ms); NULL: the deployment's herald.delivery.retry-schedule, no jitter, herald.delivery.timeout.
-- A delivery's attempt limit comes from its webhook's schedule when it is made or replayed (fan_out.sql,
-- replay.sql); claims and test events answer the three settings with what they take, so their result types change
-- and the old functions go (on a new database the function files, which come after the migrations, have not made
-- them yet: dropped only where they exist, without a notice).
ALTER TABLE webhook ADD COLUMN retry_schedule_ms integer[],
                    ADD COLUMN retry_jitter real,
                    ADD COLUMN timeout_ms integer;
DO $$
BEGIN
    IF to_regprocedure('herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint)')
       IS NOT NULL THEN
        DROP FUNCTION herald_claim(bigint[], int, int, bigint, int, bigint, int, int[], int[], int, bigint);
    END IF;
    IF to_regprocedure('herald_start_test(bigint, int, int, int, bigint, bigint)') IS NOT NULL THEN
        DROP FUNCTION herald_start_test(bigint, int, int, int, bigint, bigint);
    END IF;
END $$;
