-- Receivers: the endpoints webhooks' URLs name. Caps hold per receiver, across every webhook that names it.

-- The receiving endpoint a URL names: scheme and host in lower case (a host's trailing dot dropped), the port written
-- out (80, 443 by default) and the path as servers read it: '.' segments and repeated or trailing slashes dropped,
-- '/' when empty. The query and fragment do not make another endpoint. A URL this
-- cannot read (Herald's URL rules let none through) is its own key. One name of a host is not another (an address,
-- a CNAME): the endpoint is the URL's, not the server's.
CREATE OR REPLACE FUNCTION herald_receiver_path(path text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '/' || coalesce(string_agg(segment, '/' ORDER BY n), '')
      FROM unnest(string_to_array(path, '/')) WITH ORDINALITY AS s(segment, n)
     WHERE segment NOT IN ('', '.')
$$;

CREATE OR REPLACE FUNCTION herald_receiver_key(url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT lower(m[1]) || '://' || rtrim(lower(m[2]), '.') || ':'
                || coalesce(m[3]::int::text, CASE lower(m[1]) WHEN 'https' THEN '443' ELSE '80' END)
                || herald_receiver_path(m[4])
           FROM regexp_match(url, '^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#:\[\]]+|\[[^\]]*\])(?::([0-9]{1,5}))?([^?#]*)') AS m),
        url)
$$;

-- The receiver of a key, made when it is new. Never locks an existing row.
CREATE OR REPLACE FUNCTION herald_receiver(key text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    receiver_id bigint;
BEGIN
    SELECT r.id INTO receiver_id FROM receiver r WHERE r.url_key = key;
    IF receiver_id IS NULL THEN
        INSERT INTO receiver (url_key) VALUES (key) ON CONFLICT (url_key) DO NOTHING RETURNING id INTO receiver_id;
        IF receiver_id IS NULL THEN
            SELECT r.id INTO receiver_id FROM receiver r WHERE r.url_key = key;  -- made at the same moment by another
        END IF;
    END IF;
    RETURN receiver_id;
END $$;

-- A receiver is charged by claims only while it is shared. One webhook alone holds the same counts in its own
-- endpoint row, under caps at least as low; the receiver becomes shared, for good, when another webhook comes to
-- name it (`p_joined`: `p_webhook` is about to name it) or when its webhook stops naming it (`p_left`: `p_webhook`,
-- which names it, takes another URL or is deleted), so that what was sent there stays counted whoever sends next.
-- It is charged with the deliveries its webhooks have in flight (the one leaving among them) and the attempts they
-- started (their endpoint rows keep every start within the window), and paused while one of them is. One
-- transaction at a time decides for a receiver (an advisory lock, one of 1,024, taken in key order), so that two
-- webhooks stored at once on a new receiver see each other; then the endpoint rows of the receivers' webhooks and
-- `p_webhook`'s are locked, in id order, and the receivers last (the lock order, wake.sql): a claim holding one of
-- those rows finishes first, and its deliveries are charged here. Whoever gives a webhook another URL or deletes it
-- calls this before taking any lock of that webhook's (the trigger below calls it again, by then with nothing to
-- do); a registration lets the trigger call it.
CREATE OR REPLACE FUNCTION herald_share_receivers(p_webhook bigint, p_joined bigint, p_left bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    targets bigint[];
    target bigint;
    members bigint[];
    charged_from bigint[];
    charged int;
BEGIN
    IF p_joined IS NOT DISTINCT FROM p_left THEN
        RETURN;  -- it stays where it is
    END IF;
    targets := ARRAY(SELECT r.id FROM receiver r WHERE r.id IN (p_joined, p_left) AND NOT r.shared
                      ORDER BY r.id % 1024, r.id);
    IF cardinality(targets) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(1382250098, (t.id % 1024)::int)  -- 1382250098: "Rcvr" in ASCII
       FROM unnest(targets) WITH ORDINALITY AS t(id, n) ORDER BY t.n;
    members := ARRAY(SELECT w.id FROM webhook w WHERE w.receiver_id = ANY(targets));
    PERFORM 1 FROM endpoint_state e WHERE e.webhook_id = ANY(members || p_webhook) ORDER BY e.webhook_id FOR UPDATE;
    PERFORM 1 FROM receiver r WHERE r.id = ANY(targets) ORDER BY r.id FOR UPDATE;
    FOREACH target IN ARRAY targets LOOP
        charged_from := ARRAY(SELECT w.id FROM webhook w WHERE w.receiver_id = target
                                 AND (w.id <> p_webhook OR target = p_left));
        CONTINUE WHEN cardinality(charged_from) = 0 OR (SELECT r.shared FROM receiver r WHERE r.id = target);
        WITH taken AS (
            UPDATE delivery d SET receiver_id = target
             WHERE d.webhook_id = ANY(charged_from) AND d.status = 1 AND d.receiver_id IS NULL
         RETURNING d.id)
        SELECT count(*)::int INTO charged FROM taken;
        UPDATE receiver r
           SET shared = true,
               in_flight = r.in_flight + charged,
               window_starts = ARRAY(SELECT s.at FROM endpoint_state e CROSS JOIN unnest(e.window_starts) AS s(at)
                                      WHERE e.webhook_id = ANY(charged_from) ORDER BY s.at),
               paused_until = (SELECT max(p.until) FROM (SELECT r.paused_until UNION ALL
                                                        SELECT e.paused_until FROM endpoint_state e
                                                         WHERE e.webhook_id = ANY(charged_from)) AS p(until))
         WHERE r.id = target;
    END LOOP;
END $$;

-- A webhook names its receiver when it is stored and whenever its URL changes, whoever stores it. An update that
-- leaves it on the same receiver (any update lists the URL) shares nothing and so takes no lock.
CREATE OR REPLACE FUNCTION herald_webhook_receiver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.receiver_id := herald_receiver(herald_receiver_key(NEW.webhook_url));
    PERFORM herald_share_receivers(NEW.id, NEW.receiver_id,
                                   CASE WHEN TG_OP = 'UPDATE' THEN OLD.receiver_id END);
    RETURN NEW;
END $$;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'webhook_receiver' AND tgrelid = 'webhook'::regclass) THEN
        CREATE TRIGGER webhook_receiver BEFORE INSERT OR UPDATE OF webhook_url ON webhook
            FOR EACH ROW EXECUTE FUNCTION herald_webhook_receiver();
    END IF;
END $$;

-- Receivers that a second webhook came to name while the previous build's trigger, which shared none, was still in
-- place (the migration that introduced sharing had already marked the others).
SELECT herald_share_receivers(0, r.id, NULL)
  FROM receiver r
 WHERE NOT r.shared AND (SELECT count(*) FROM webhook w WHERE w.receiver_id = r.id) > 1
 ORDER BY r.id % 1024, r.id;

-- Webhooks stored before receivers existed get theirs (nothing to do once every webhook has one).
UPDATE webhook SET webhook_url = webhook_url WHERE receiver_id IS NULL;

-- Slots given back at receivers, one per entry of `ids` (NULL entries: deliveries their claims charged to no
-- receiver, by a replica older than receivers), with the pause a receiver asked for (429) until `pause_until`.
-- Receiver rows are locked in id order, after the caller's endpoint rows and deliveries (the lock order, wake.sql).
-- For each slot given back, one other webhook of that receiver that waits for a slot there (looked at again shortly:
-- herald_claim parked it while the receiver was full) is due now, so that a shared receiver's slots do not stay
-- idle until then. Those endpoint rows are taken with SKIP LOCKED: one held elsewhere is being looked at already,
-- and holding receiver rows, this never waits for an endpoint row.
CREATE OR REPLACE FUNCTION herald_release_receivers(ids bigint[], pause_until timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    waiting bigint[];
BEGIN
    PERFORM 1 FROM receiver r WHERE r.id = ANY(ids) ORDER BY r.id FOR UPDATE;
    UPDATE receiver r
       SET in_flight = r.in_flight - s.n,
           paused_until = CASE WHEN s.pause IS NULL THEN r.paused_until ELSE greatest(r.paused_until, s.pause) END
      FROM (SELECT x.id, count(*)::int AS n, max(x.pause) AS pause
              FROM unnest(ids, pause_until) AS x(id, pause) WHERE x.id IS NOT NULL GROUP BY x.id) s
     WHERE r.id = s.id;
    waiting := ARRAY(
        SELECT e.webhook_id FROM endpoint_state e
         WHERE e.webhook_id = ANY(ARRAY(
               SELECT c.webhook_id
                 FROM (SELECT x.id, count(*)::int AS n FROM unnest(ids) AS x(id) WHERE x.id IS NOT NULL GROUP BY x.id) r
                CROSS JOIN LATERAL (
                      SELECT c.webhook_id FROM (
                             -- each webhook's endpoint row read by its key. Joined, the planner may scan every
                             -- endpoint due later for each receiver instead (it did, when statistics called that
                             -- range one row: 9,800 rows read per receiver, five times the completion's cost)
                             SELECT w.id AS webhook_id,
                                    (SELECT q.next_check_at FROM endpoint_state q WHERE q.webhook_id = w.id) AS check_at
                               FROM webhook w WHERE w.receiver_id = r.id
                             OFFSET 0) c
                       WHERE c.check_at > clock_timestamp() AND c.check_at < 'infinity'
                         AND EXISTS (SELECT 1 FROM delivery d WHERE d.webhook_id = c.webhook_id AND d.status = 0)
                       ORDER BY c.check_at
                       LIMIT r.n) c))
         ORDER BY e.webhook_id
           FOR UPDATE SKIP LOCKED);
    IF cardinality(waiting) > 0 THEN
        UPDATE endpoint_state e SET next_check_at = clock_timestamp() WHERE e.webhook_id = ANY(waiting);
    END IF;
END $$;

-- Before a webhook is deleted: its attempts in flight are forgotten, and their slots given back at the receivers
-- their claims charged (the webhook's delete would take the deliveries with it, and their outcomes would then match
-- no row: the receiver, shared by other webhooks, would keep the slots for good). The caller holds the webhook's
-- endpoint row; the webhook's row, the deliveries and the receivers follow, in the lock order.
CREATE OR REPLACE FUNCTION herald_release_webhook_in_flight(p_webhook bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    released bigint[];
BEGIN
    PERFORM 1 FROM webhook w WHERE w.id = p_webhook FOR UPDATE;
    WITH gone AS (DELETE FROM delivery d WHERE d.webhook_id = p_webhook AND d.status = 1 RETURNING d.receiver_id)
    SELECT array_agg(g.receiver_id) INTO released FROM gone g;
    IF released IS NOT NULL THEN
        PERFORM herald_release_receivers(released, array_fill(NULL::timestamptz, ARRAY[cardinality(released)]));
    END IF;
END $$;

-- Receivers whose in-flight count disagrees with the deliveries in flight are counted again: what replicas older
-- than receivers left uncharged, or a slot a path not foreseen left behind. The counting that sets them runs after
-- their rows are locked (SKIP LOCKED: a claim or completion holding one is left for the next round), so it sees
-- every claim and completion committed before. Answers how many were set right.
CREATE OR REPLACE FUNCTION herald_recount_receivers() RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    suspects bigint[];
    held bigint[];
    mended int;
BEGIN
    SELECT array_agg(r.id) INTO suspects
      FROM receiver r
      LEFT JOIN (SELECT f.receiver_id, count(*)::int AS n FROM herald_in_flight() f GROUP BY f.receiver_id) c
             ON c.receiver_id = r.id
     WHERE r.in_flight <> coalesce(c.n, 0);
    IF suspects IS NULL THEN
        RETURN 0;
    END IF;
    held := ARRAY(SELECT r.id FROM receiver r WHERE r.id = ANY(suspects) ORDER BY r.id FOR UPDATE SKIP LOCKED);
    UPDATE receiver r SET in_flight = c.n
      FROM (SELECT h.id, (SELECT count(*)::int FROM herald_in_flight() f WHERE f.receiver_id = h.id) AS n
              FROM unnest(held) AS h(id)) c
     WHERE r.id = c.id AND r.in_flight <> c.n;
    GET DIAGNOSTICS mended = ROW_COUNT;
    RETURN mended;
END $$;
