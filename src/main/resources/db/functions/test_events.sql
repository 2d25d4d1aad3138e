-- Test events (sendTestEvent): one attempt to a webhook outside its deliveries, counted in its caps as a claim is.

-- Starts a test on an application's webhook by the rule of a claim's room (herald_room, claim.sql), at its webhook
-- (the lower of the global and the webhook's caps) and at its receiver (the global caps, across every webhook that
-- names it); a receiver's pause is respected and a running test refuses another. Answers nothing when the
-- webhook is not the application's; else why it cannot start now (null when it started) and what the attempt needs.
-- A test's slot frees itself when its lease ends, so a replica that died mid-test never shrinks the cap for good.
CREATE OR REPLACE FUNCTION herald_start_test(p_webhook bigint, p_application int, global_in_flight int, global_starts int,
                                  window_ms bigint, lease_ms bigint)
RETURNS TABLE (refusal text, webhook_url text, secret text, previous_secret text, legacy_signature_header text,
               headers text, lease timestamptz, timeout_ms int, proxy text, client_certificate text, oauth2 text)
LANGUAGE plpgsql AS $$
DECLARE
    hook record;
    e record;
    r record;
    receiver_recent timestamptz[];
    receiver_tests int;
    recent timestamptz[];
    cap_in_flight int;
    cap_starts int;
    test_lease timestamptz;
BEGIN
    SELECT w.webhook_url, w.secret,
           CASE WHEN w.previous_secret_expires_at > clock_timestamp() THEN w.previous_secret END AS previous_secret,
           w.legacy_signature_header, w.headers, w.max_in_flight, w.max_per_minute, w.receiver_id, w.timeout_ms,
           w.proxy, w.client_certificate, w.oauth2
      INTO hook
      FROM webhook w JOIN provider p ON p.id = w.provider_id
     WHERE w.id = p_webhook AND p.application_id = p_application;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO endpoint_state (webhook_id) VALUES (p_webhook) ON CONFLICT (webhook_id) DO NOTHING;
    SELECT * INTO e FROM endpoint_state WHERE endpoint_state.webhook_id = p_webhook FOR UPDATE;
    -- a receiver only this webhook names is not charged: the endpoint row holds the same counts (receivers.sql)
    SELECT * INTO r FROM receiver WHERE receiver.id = hook.receiver_id AND receiver.shared FOR UPDATE;
    receiver_recent := herald_recent_starts(coalesce(r.window_starts, '{}'), window_ms);
    SELECT count(*)::int INTO receiver_tests FROM webhook tw JOIN endpoint_state te ON te.webhook_id = tw.id
     WHERE tw.receiver_id = hook.receiver_id AND te.test_until > clock_timestamp();
    cap_in_flight := least(global_in_flight, coalesce(hook.max_in_flight, global_in_flight));
    cap_starts := least(global_starts, coalesce(hook.max_per_minute, global_starts));
    recent := herald_recent_starts(e.window_starts, window_ms);
    refusal := CASE
        WHEN e.test_until > clock_timestamp() THEN 'a test event is already running for this webhook'
        WHEN herald_room(true, coalesce(e.paused_until > clock_timestamp(), false), e.in_flight, 0, cap_in_flight,
                         cardinality(recent), cap_starts) > 0
             AND (r.id IS NULL OR herald_room(true, coalesce(r.paused_until > clock_timestamp(), false), r.in_flight,
                                              receiver_tests, global_in_flight, cardinality(receiver_recent),
                                              global_starts) > 0) THEN NULL
        WHEN r.paused_until > clock_timestamp()
             THEN 'the receiver asked for a pause (429) until ' || herald_utc_text(r.paused_until)
        WHEN e.paused_until > clock_timestamp()
             THEN 'the receiver asked for a pause (429) until ' || herald_utc_text(e.paused_until)
        WHEN e.in_flight >= cap_in_flight
             THEN format('%s deliveries are in flight, the webhook''s cap (maxInFlight %s); try again when one ends',
                         e.in_flight, cap_in_flight)
        WHEN cardinality(recent) >= cap_starts
             THEN format('%s attempts started in the last minute, the webhook''s cap (maxPerMinute %s)',
                         cardinality(recent), cap_starts)
        ELSE format('its receiving endpoint, which other webhooks name too, is at its cap (%s in flight, %s started in'
                    || ' the last minute); try again when one ends', r.in_flight + receiver_tests,
                    cardinality(receiver_recent))
        END;
    IF refusal IS NULL THEN
        test_lease := clock_timestamp() + lease_ms * interval '1 millisecond';
        UPDATE endpoint_state
           SET test_until = test_lease,
               -- a start charged must never be earlier than one already charged
               window_starts = recent || greatest(clock_timestamp(), recent[cardinality(recent)])
         WHERE endpoint_state.webhook_id = p_webhook;
        UPDATE receiver
           SET window_starts = receiver_recent || greatest(clock_timestamp(), receiver_recent[cardinality(receiver_recent)])
         WHERE receiver.id = r.id;
    END IF;
    RETURN QUERY SELECT refusal, hook.webhook_url, hook.secret, hook.previous_secret, hook.legacy_signature_header,
                        hook.headers, test_lease, hook.timeout_ms, hook.proxy, hook.client_certificate,
                        hook.oauth2;
END $$;

-- Ends a test: its slot, if still its own (`p_lease` as herald_start_test answered: a test that outlived its lease
-- must not free a newer test's slot), is given back and the endpoint woken (it may have been parked at its cap).
CREATE OR REPLACE FUNCTION herald_end_test(p_webhook bigint, p_lease timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE endpoint_state SET test_until = NULL WHERE webhook_id = p_webhook AND test_until = p_lease;
    PERFORM herald_wake_endpoints(ARRAY[p_webhook], ARRAY[clock_timestamp()]);
    PERFORM pg_notify('herald_dispatch', '');
END $$;
