-- Signing secrets are stored encrypted (AES-GCM, "enc:v1:..."); the application encrypts rows written
-- before this version at startup. A rotated-out secret keeps signing until previous_secret_expires_at.
ALTER TABLE webhook
    ADD COLUMN previous_secret            text,
    ADD COLUMN previous_secret_expires_at timestamptz,
    -- opt-in legacy signature (hex HMAC-SHA512 of the body) in this header; null when off
    ADD COLUMN legacy_signature_header    text;

-- A receiver that answered 429 with Retry-After is left alone until then.
ALTER TABLE endpoint_state ADD COLUMN paused_until timestamptz;
