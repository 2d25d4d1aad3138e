-- Completion records health for every endpoint of a batch, and herald_ring_add rebuilt both 60-minute rings of each
-- from a generate_series even when the attempt fell in the minute the ring was last written (nearly always): that
-- case now adds to its one slot in place. Other cases (a new minute, a ring not yet 60 long) are as in V9.
CREATE OR REPLACE FUNCTION herald_ring_add(ring int[], ring_minute bigint, at_minute bigint, n int) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    added int[] := ring;
    slot int := (at_minute % 60)::int + 1;
BEGIN
    IF at_minute = ring_minute AND cardinality(ring) = 60 THEN
        added[slot] := added[slot] + n;
        RETURN added;
    END IF;
    RETURN (SELECT array_agg(CASE WHEN at_minute - herald_ring_slot_minute(ring_minute, i) < 60
                                  THEN coalesce(ring[i + 1], 0) ELSE 0 END
                             + CASE WHEN i = at_minute % 60 THEN n ELSE 0 END ORDER BY i)
              FROM generate_series(0, 59) AS i);
END $$;
