-- The W3C traceparent of the work that wrote the event, so the relay's publish and the consumers
-- continue the same trace (NULL when that work was not traced).
ALTER TABLE outbox_events ADD COLUMN traceparent VARCHAR(55) NULL;
