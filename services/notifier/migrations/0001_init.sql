-- One notification per order event: event_id is unique, so a redelivered event adds nothing.
CREATE TABLE notifications (
  id CHAR(36) NOT NULL,
  event_id CHAR(36) NOT NULL,
  user_id CHAR(36) NOT NULL,
  order_id CHAR(36) NOT NULL,
  type VARCHAR(64) NOT NULL,
  message VARCHAR(500) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  -- Set once the channel accepted it: a redelivery never sends twice.
  sent_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_notifications_event (event_id),
  -- "my notifications, newest first" with a keyset cursor.
  KEY ix_notifications_user_created (user_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
