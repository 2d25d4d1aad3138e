-- The migration that introduced partitions (V6) ends its chain with a bridge of a minute from the moment it ran, for
-- the replicas of the previous build that write on while the new ones start. A new database has no such replicas and
-- nothing in it: there the bridge ends now, so the partitions of the configured interval begin at once (a retention
-- of seconds, for trying it out, starts working from the first event). A database with anything in it, or whose
-- bridge has passed, is left as it is.
DO $$
DECLARE
    b record;
BEGIN
    IF EXISTS (SELECT 1 FROM application) OR EXISTS (SELECT 1 FROM event) OR EXISTS (SELECT 1 FROM delivery_history)
       OR EXISTS (SELECT 1 FROM delivery_attempt) THEN
        RETURN;
    END IF;
    FOR b IN SELECT bridge.parent, bridge.name, bridge.lower FROM herald_partition bridge
              WHERE bridge.upper > clock_timestamp()
                AND bridge.lower = (SELECT legacy.upper FROM herald_partition legacy
                                     WHERE legacy.parent = bridge.parent AND legacy.lower = '-infinity')
                AND NOT EXISTS (SELECT 1 FROM herald_partition later
                                 WHERE later.parent = bridge.parent AND later.lower >= bridge.upper)
    LOOP
        EXECUTE format('DROP TABLE %I', b.name);
        DELETE FROM herald_partition WHERE name = b.name;
        PERFORM herald_create_partition(b.parent, b.lower,
                                        greatest(b.lower, date_trunc('second', clock_timestamp())) + interval '1 second');
    END LOOP;
END $$;
