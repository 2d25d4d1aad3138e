-- Partitions of the event table and the delivery log by time, for retention that drops whole partitions
-- (dev.herald.retention.Partitions). herald_partition lists them.

-- Creates one partition of `p_parent` for [p_lower, p_upper) and attaches it. ATTACH (not CREATE ... PARTITION OF)
-- takes only a SHARE UPDATE EXCLUSIVE lock on the parent: producers, claims and the attempt log go on.
CREATE OR REPLACE FUNCTION herald_create_partition(p_parent text, p_lower timestamptz, p_upper timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    p_name text := p_parent || '_' || CASE WHEN p_lower = '-infinity' THEN 'legacy'
                                            ELSE to_char(p_lower AT TIME ZONE 'UTC', 'YYYYMMDD"t"HH24MISS') END;
BEGIN
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', p_name, p_parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%L)', p_parent, p_name,
                   CASE WHEN p_lower = '-infinity' THEN 'MINVALUE' ELSE quote_literal(p_lower) END, p_upper);
    INSERT INTO herald_partition (name, parent, lower, upper) VALUES (p_name, p_parent, p_lower, p_upper);
    RETURN p_name;
END $$;

-- Extends the chain of `p_parent`'s partitions in steps of `p_step` until it covers `p_until`. After a pause longer
-- than a step (nothing could be written beyond the last partition meanwhile), one partition covers the gap up to
-- now. Answers how many partitions it made.
CREATE OR REPLACE FUNCTION herald_extend_partitions(p_parent text, p_step interval, p_until timestamptz) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    last_upper timestamptz;
    gap_end timestamptz;
    made int := 0;
BEGIN
    SELECT max(upper) INTO last_upper FROM herald_partition WHERE parent = p_parent;
    IF last_upper IS NULL THEN
        RAISE EXCEPTION 'no partition of % to extend', p_parent;
    END IF;
    IF last_upper + p_step < clock_timestamp() THEN
        gap_end := date_trunc('second', clock_timestamp());
        PERFORM herald_create_partition(p_parent, last_upper, gap_end);
        last_upper := gap_end;
        made := made + 1;
    END IF;
    WHILE last_upper < p_until LOOP
        PERFORM herald_create_partition(p_parent, last_upper, last_upper + p_step);
        last_upper := last_upper + p_step;
        made := made + 1;
    END LOOP;
    RETURN made;
END $$;

-- The partitions retention may drop now, oldest first: those whose whole range ended more than `p_retention` ago.
-- An event partition also waits while any event in it is needed: by a delivery not yet final, by a FAILED delivery
-- still replayable (finished within the retention period), or because it was not fanned out yet.
CREATE OR REPLACE FUNCTION herald_expired_partitions(p_retention interval) RETURNS TABLE (parent text, name text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    horizon timestamptz := clock_timestamp() - p_retention;
    -- a replay that started a moment ago may still take a FAILED delivery that has just left retention: its
    -- event stays a little longer than the retention period
    replay_margin interval := least(interval '5 minutes', p_retention / 10);
    events_needed_from timestamptz;
BEGIN
    SELECT least((SELECT min(d.event_accepted_at) FROM delivery d),
                 (SELECT min(l.event_accepted_at) FROM delivery_log l
                   WHERE l.status = 3 AND l.logged_at >= horizon - replay_margin),
                 (SELECT min(w.event_accepted_at) FROM event_pending w))
      INTO events_needed_from;
    RETURN QUERY
        SELECT p.parent, p.name FROM herald_partition p
         WHERE p.upper <= horizon
           AND (p.parent <> 'event' OR events_needed_from IS NULL OR p.upper <= events_needed_from)
         ORDER BY p.upper;
END $$;

-- A bridge from the first partition's end to a minute from now: a database partitioned by the migration that
-- introduced partitions writes into it until Herald makes the partitions of the configured interval.
CREATE OR REPLACE FUNCTION herald_bridge_partitions(p_parent text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM herald_create_partition(p_parent, p.upper,
                                    greatest(p.upper, date_trunc('second', clock_timestamp())) + interval '61 seconds')
       FROM herald_partition p WHERE p.parent = p_parent AND p.lower = '-infinity';
END $$;
