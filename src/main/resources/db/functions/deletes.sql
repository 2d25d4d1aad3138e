-- The hot tables carry no foreign keys (each would cost an index probe per write); deleting a webhook or an event
-- deletes its deliveries through statement triggers, and deleting deliveries their attempts.

-- Deletes the rows of table TG_ARGV[0] whose column TG_ARGV[1] holds the id of a row this statement deleted.
CREATE OR REPLACE FUNCTION herald_delete_dependents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DELETE FROM %I WHERE %I IN (SELECT id FROM gone)', TG_ARGV[0], TG_ARGV[1]);
    RETURN NULL;
END $$;
