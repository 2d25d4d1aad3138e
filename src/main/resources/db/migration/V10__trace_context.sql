-- Trace context (README, "Trace context"): the W3C traceparent of an event, from POST /v1/events or written by a
-- producer's INSERT; every attempt of its deliveries carries a traceparent of the same trace. NULL: none.
ALTER TABLE event ADD COLUMN traceparent text;
