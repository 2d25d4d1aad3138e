-- Each application's catalogue of event types: a producer tags the events of a request with one of them
-- (Herald-Event-Type), and a type's JSON Schema, when it has one, is what its events must satisfy at ingest. Webhooks
-- subscribe to types (webhook.event_types, V27), by name or by `prefix.*`.
CREATE TABLE event_type (
    application_id integer     NOT NULL REFERENCES application (id) ON DELETE CASCADE,
    name           text        NOT NULL,
    description    text,
    json_schema    text,
    created_on     timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_on     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (application_id, name)
);

