-- Small helpers the other files use. Loaded first: SQL-language functions are checked against what exists.

-- A time as the API writes it, in UTC to the second: 2026-12-06T10:15:00Z.
CREATE OR REPLACE FUNCTION herald_utc_text(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Minutes since the epoch: the health rings count attempts per such minute.
CREATE OR REPLACE FUNCTION herald_minute(t timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM t) / 60)::bigint
$$;
