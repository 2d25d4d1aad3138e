-- Quotas held in the database, so that every replica enforces the same figures.

-- Takes `p_events` events from an application's ingest allowance: a bucket of `per_second` events (the application's
-- own max_events_per_second, or `default_per_second`), refilled continuously at that rate. The request is granted
-- when the bucket holds enough and it carries no more than `per_request` events (the application's own
-- max_events_per_request, or `default_per_request`) nor more than the bucket can ever hold; then its events are
-- taken. 0 events only reads the allowance. The bucket's row is locked for this call: requests of one application
-- take their turn, those of others do not wait. Answers the verdict and what the RateLimit headers say.
CREATE OR REPLACE FUNCTION herald_take_ingest_allowance(p_application int, p_events int, default_per_second int,
                                                        default_per_request int)
RETURNS TABLE (granted boolean, per_second int, per_request int, remaining int, full_in_ms bigint, retry_in_ms bigint)
LANGUAGE plpgsql AS $$
DECLARE
    now_at timestamptz;
    stored record;
    available double precision;
BEGIN
    SELECT coalesce(a.max_events_per_second, default_per_second), coalesce(a.max_events_per_request, default_per_request)
      INTO per_second, per_request FROM application a WHERE a.id = p_application;
    IF NOT FOUND THEN
        RETURN;  -- deleted meanwhile: no answer
    END IF;
    INSERT INTO ingest_allowance (application_id, tokens, refreshed_at) VALUES (p_application, per_second,
                                                                                 clock_timestamp())
        ON CONFLICT (application_id) DO NOTHING;
    SELECT t.tokens, t.refreshed_at INTO stored FROM ingest_allowance t WHERE t.application_id = p_application
       FOR UPDATE;
    now_at := greatest(clock_timestamp(), stored.refreshed_at);  -- read once the row is ours: never back in time
    available := least(per_second::double precision,
                       stored.tokens + greatest(0, extract(epoch FROM now_at - stored.refreshed_at)) * per_second);
    granted := p_events <= per_request AND p_events <= available;
    IF granted THEN
        available := available - p_events;
    END IF;
    UPDATE ingest_allowance t SET tokens = available, refreshed_at = now_at WHERE t.application_id = p_application;
    remaining := floor(available)::int;
    full_in_ms := ceil((per_second - available) * 1000 / per_second)::bigint;
    retry_in_ms := CASE WHEN granted THEN 0 ELSE ceil((p_events - available) * 1000 / per_second)::bigint END;
    RETURN NEXT;
END $$;
