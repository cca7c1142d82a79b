-- Delivery is its own durable step: the consumer writes the notification and one delivery row per
-- channel in one transaction; the delivery worker sends them later, with retries.

-- What the templates and webhook bodies are made from: the event's order snapshot (JSON text)
-- and when the event happened. NULL on rows written before deliveries existed.
-- notifications.sent_at is superseded by notification_deliveries.sent_at and no longer written.
ALTER TABLE notifications
  ADD COLUMN payload MEDIUMTEXT NULL,
  ADD COLUMN occurred_at DATETIME(3) NULL;

-- One row per (notification, channel, target): target is the user id for EMAIL and the webhook
-- endpoint id for WEBHOOK, so a rewritten notification can never add a second delivery.
CREATE TABLE notification_deliveries (
  id CHAR(36) NOT NULL,
  notification_id CHAR(36) NOT NULL,
  channel VARCHAR(16) NOT NULL,
  target CHAR(36) NOT NULL,
  -- PENDING until sent (SENT) or given up (FAILED, with last_error).
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL DEFAULT 0,
  -- When it may be claimed next: due time, backoff, or the end of a sender's lease.
  next_attempt_at DATETIME(3) NOT NULL,
  last_error VARCHAR(1000) NULL,
  created_at DATETIME(3) NOT NULL,
  sent_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_deliveries_notification_channel_target (notification_id, channel, target),
  -- The claim: due PENDING rows of one channel, earliest first.
  KEY ix_deliveries_claim (status, channel, next_attempt_at),
  CONSTRAINT fk_deliveries_notification FOREIGN KEY (notification_id) REFERENCES notifications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE webhook_endpoints (
  id CHAR(36) NOT NULL,
  url VARCHAR(2048) NOT NULL,
  -- Comma-separated event types the endpoint subscribed to.
  event_types VARCHAR(255) NOT NULL,
  -- Standard Webhooks signing secret (whsec_ + base64); shown to the admin on create and rotate only.
  secret VARCHAR(100) NOT NULL,
  status VARCHAR(16) NOT NULL,
  disabled_reason VARCHAR(500) NULL,
  -- Set by the first failure after a success; an endpoint failing long enough is disabled.
  failing_since DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_webhook_endpoints_created (created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A user without a row gets every channel (email on).
CREATE TABLE notification_preferences (
  user_id CHAR(36) NOT NULL,
  email_enabled BOOLEAN NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
