-- The whole event envelope as the order service wrote it (version and aggregate type included),
-- so the relay ships it unchanged. NULL on rows written before this column: the relay rebuilds
-- those from the other columns, as the previous version did.
ALTER TABLE outbox_events ADD COLUMN envelope JSON NULL;
