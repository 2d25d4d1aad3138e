-- Portal tokens: short-lived credentials an application (or the admin) mints for its own customers, scoped to the
-- application, one provider or one webhook, to read or to manage. Stored as the SHA-256 hash of the token, as API
-- keys are; gone with what they name.
CREATE TABLE portal_token (
    id              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    token_hash      text        PRIMARY KEY,
    application_id  integer     NOT NULL REFERENCES application (id) ON DELETE CASCADE,
    provider_id     integer     REFERENCES provider (id) ON DELETE CASCADE,
    webhook_id      bigint      REFERENCES webhook (id) ON DELETE CASCADE,
    access          smallint    NOT NULL CHECK (access IN (1, 2)),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX portal_token_application_expiry ON portal_token (application_id, expires_at);
-- deleting a provider or a webhook looks for its tokens
CREATE INDEX portal_token_provider ON portal_token (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX portal_token_webhook ON portal_token (webhook_id) WHERE webhook_id IS NOT NULL;
