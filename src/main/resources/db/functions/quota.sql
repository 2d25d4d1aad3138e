-- Quotas held in the database, so that every replica enforces the same figures.

-- Takes requests' events from an application's ingest allowance, in the order given (`p_events`: each request's
-- events): a bucket of `per_second` events (the application's own max_events_per_second, or `default_per_second`),
-- refilled continuously at that rate. A request is granted when the bucket holds enough and it carries no more than
-- `per_request` events (the application's own max_events_per_request, or `default_per_request`) nor more than the
-- bucket can ever hold; then its events are taken. 0 events only reads the allowance. The bucket's row is locked for
-- the caller's transaction: requests of one application take their turn, those of others do not wait. Answers, per
-- request (its position in `p_events`), the verdict and what the RateLimit headers say; no row when the application
-- is gone.
CREATE OR REPLACE FUNCTION herald_take_ingest_allowances(p_application int, p_events int[], default_per_second int,
                                                         default_per_request int)
RETURNS TABLE (request int, granted boolean, per_second int, per_request int, remaining int, full_in_ms bigint,
               retry_in_ms bigint)
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
    FOR i IN 1 .. coalesce(cardinality(p_events), 0) LOOP
        request := i;
        granted := p_events[i] <= per_request AND p_events[i] <= available;
        IF granted THEN
            available := available - p_events[i];
        END IF;
        remaining := floor(available)::int;
        full_in_ms := ceil((per_second - available) * 1000 / per_second)::bigint;
        retry_in_ms := CASE WHEN granted THEN 0 ELSE ceil((p_events[i] - available) * 1000 / per_second)::bigint END;
        RETURN NEXT;
    END LOOP;
    UPDATE ingest_allowance t SET tokens = available, refreshed_at = now_at WHERE t.application_id = p_application;
END $$;

-- One request's allowance (herald_take_ingest_allowances of that one request).
CREATE OR REPLACE FUNCTION herald_take_ingest_allowance(p_application int, p_events int, default_per_second int,
                                                        default_per_request int)
RETURNS TABLE (granted boolean, per_second int, per_request int, remaining int, full_in_ms bigint, retry_in_ms bigint)
LANGUAGE sql AS $$
    SELECT t.granted, t.per_second, t.per_request, t.remaining, t.full_in_ms, t.retry_in_ms
      FROM herald_take_ingest_allowances(p_application, ARRAY[p_events], default_per_second, default_per_request) t
$$;
