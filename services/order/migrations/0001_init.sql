-- Orders, their items, the transactional outbox, idempotency records and the archive.
-- Owned by the order service; the outbox relay and the archiver work on these tables.

CREATE TABLE orders (
  id CHAR(36) NOT NULL,
  user_id CHAR(36) NOT NULL,
  status VARCHAR(16) NOT NULL,
  total_amount BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  reservation_id CHAR(36) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_orders_reservation (reservation_id),
  -- "my orders, newest first" with a keyset cursor.
  KEY ix_orders_user_created (user_id, created_at, id),
  -- the archiver's eligibility scan.
  KEY ix_orders_status_updated (status, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_items (
  id BIGINT NOT NULL AUTO_INCREMENT,
  order_id CHAR(36) NOT NULL,
  product_id CHAR(36) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  unit_price BIGINT NOT NULL,
  quantity INT NOT NULL,
  line_total BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY ix_order_items_order (order_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE outbox_events (
  -- Monotonic id gives the publication order within an aggregate.
  id BIGINT NOT NULL AUTO_INCREMENT,
  event_id CHAR(36) NOT NULL,
  aggregate_type VARCHAR(32) NOT NULL,
  aggregate_id CHAR(36) NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  payload JSON NOT NULL,
  request_id VARCHAR(128) NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'READY',
  attempts INT NOT NULL DEFAULT 0,
  available_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_error TEXT NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  published_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_outbox_event_id (event_id),
  KEY ix_outbox_status_available (status, available_at, id),
  KEY ix_outbox_aggregate (aggregate_id, status, id),
  KEY ix_outbox_published (status, published_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE idempotency_keys (
  user_id CHAR(36) NOT NULL,
  idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) NOT NULL,
  state VARCHAR(16) NOT NULL,
  reservation_id CHAR(36) NOT NULL,
  locked_until DATETIME(3) NULL,
  response_status INT NULL,
  response_body JSON NULL,
  order_id CHAR(36) NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id, idempotency_key),
  UNIQUE KEY uq_idempotency_reservation (reservation_id),
  KEY ix_idempotency_state_updated (state, updated_at),
  KEY ix_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders_archive (
  id CHAR(36) NOT NULL,
  user_id CHAR(36) NOT NULL,
  status VARCHAR(16) NOT NULL,
  total_amount BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  reservation_id CHAR(36) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  archived_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY ix_orders_archive_user_created (user_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_items_archive (
  id BIGINT NOT NULL,
  order_id CHAR(36) NOT NULL,
  product_id CHAR(36) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  unit_price BIGINT NOT NULL,
  quantity INT NOT NULL,
  line_total BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY ix_order_items_archive_order (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
