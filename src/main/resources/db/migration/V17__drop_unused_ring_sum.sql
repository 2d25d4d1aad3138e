-- herald_ring_sum (V9) has had no caller since health was read minute by minute (V12, herald_ring_minutes):
-- one reader of the rings, not two that could disagree.
DROP FUNCTION herald_ring_sum(int[], bigint, bigint);
