-- Receivers: the endpoints webhooks' URLs name. Caps hold per receiver, across every webhook that names it.

-- The receiving endpoint a URL names: scheme and host in lower case, the port written out (80, 443 by default) and
-- the path ('/' when empty); the query and fragment do not make another endpoint. A URL this cannot read (Herald's
-- URL rules let none through) is its own key.
CREATE OR REPLACE FUNCTION herald_receiver_key(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT lower(m[1]) || '://' || lower(m[2]) || ':'
                || coalesce(m[3]::int::text, CASE lower(m[1]) WHEN 'https' THEN '443' ELSE '80' END)
                || coalesce(nullif(m[4], ''), '/')
           FROM regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#:\[\]]+|\[[^\]]*\])(?::([0-9]{1,5}))?([^?#]*)') AS m),
        url)
$$;

-- The receiver of a key, made when it is new. Never locks an existing row.
CREATE OR REPLACE FUNCTION herald_receiver(key text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    found bigint;
BEGIN
    SELECT r.id INTO found FROM receiver r WHERE r.url_key = key;
    IF found IS NULL THEN
        INSERT INTO receiver (url_key) VALUES (key) ON CONFLICT (url_key) DO NOTHING RETURNING id INTO found;
        IF found IS NULL THEN
            SELECT r.id INTO found FROM receiver r WHERE r.url_key = key;  -- made at the same moment by another
        END IF;
    END IF;
    RETURN found;
END $$;

-- A webhook names its receiver when it is stored and whenever its URL changes, whoever stores it.
CREATE OR REPLACE FUNCTION herald_webhook_receiver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.receiver_id := herald_receiver(herald_receiver_key(NEW.webhook_url));
    RETURN NEW;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'webhook_receiver' AND tgrelid = 'webhook'::regclass) THEN
        CREATE TRIGGER webhook_receiver BEFORE INSERT OR UPDATE OF webhook_url ON webhook
            FOR EACH ROW EXECUTE FUNCTION herald_webhook_receiver();
    END IF;
END $$;

-- Webhooks stored before receivers existed get theirs (nothing to do once every webhook has one).
UPDATE webhook SET webhook_url = webhook_url WHERE receiver_id IS NULL;

-- Slots given back at receivers, one per entry of `ids` (NULL entries: deliveries their claims charged to no
-- receiver, by a replica older than receivers), with the pause a receiver asked for (429) until `pause_until`.
-- Receiver rows are locked in id order, after the caller's endpoint rows and deliveries (the lock order, wake.sql).
CREATE OR REPLACE FUNCTION herald_release_receivers(ids bigint[], pause_until timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM receiver r WHERE r.id = ANY(ids) ORDER BY r.id FOR UPDATE;
    UPDATE receiver r
       SET in_flight = r.in_flight - s.n,
           paused_until = CASE WHEN s.pause IS NULL THEN r.paused_until ELSE greatest(r.paused_until, s.pause) END
      FROM (SELECT x.id, count(*)::int AS n, max(x.pause) AS pause
              FROM unnest(ids, pause_until) AS x(id, pause) WHERE x.id IS NOT NULL GROUP BY x.id) s
     WHERE r.id = s.id;
END $$;
