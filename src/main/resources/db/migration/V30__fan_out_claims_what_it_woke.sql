-- A fan-out answers the endpoints it woke, whose rows it holds locked until it commits, so that the dispatcher
-- claims from them in the same transaction instead of waiting for its next claim round (fan_out.sql). A function's
-- answer changes only by dropping it: the function file makes both again. (A new database has neither yet.)
DO $$
BEGIN
    IF to_regprocedure('herald_fan_out(int, int, int)') IS NOT NULL THEN
        DROP FUNCTION herald_fan_out(int, int, int);
    END IF;
    IF to_regprocedure('herald_fan_out_events(bigint[], timestamptz[], int, int)') IS NOT NULL THEN
        DROP FUNCTION herald_fan_out_events(bigint[], timestamptz[], int, int);
    END IF;
END $$;
