-- The console's per-minute chart (Webhook.health.minutes): what a ring counts in each of the 60 minutes up to
-- `at_minute`, oldest first. A slot counts its minute only while it was last written for that very minute
-- (herald_ring_slot_minute); otherwise that minute counts 0.
CREATE FUNCTION herald_ring_minutes(ring int[], ring_minute bigint, at_minute bigint) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_agg(CASE WHEN herald_ring_slot_minute(ring_minute, (m % 60)::int) = m
                          THEN coalesce(ring[(m % 60)::int + 1], 0) ELSE 0 END ORDER BY m)
      FROM generate_series(at_minute - 59, at_minute) AS m
$$;

