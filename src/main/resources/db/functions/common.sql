-- Small helpers the other files use. Loaded first: SQL-language functions are checked against what exists.

-- A time as the API writes it, in UTC to the second: 2026-12-06T10:15:00Z.
CREATE OR REPLACE FUNCTION herald_utc_text(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Minutes since the epoch: the health rings count attempts per such minute. STABLE as its body is (`extract` of a
-- timestamptz), so that PostgreSQL inlines it rather than calling it once per row.
CREATE OR REPLACE FUNCTION herald_minute(t timestamptz) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM t) / 60)::bigint
$$;

-- The calling transaction's id as a bigint (an xid8 has no BRIN operator class): the attempt log's `logged_by`,
-- compared with a snapshot's oldest running transaction by herald_aggregate_health.
CREATE OR REPLACE FUNCTION herald_transaction_id() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT pg_current_xact_id()::text::bigint
$$;
