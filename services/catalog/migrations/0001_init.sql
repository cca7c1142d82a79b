-- Products, their stock, reservations held for the order service, and processed order events.
-- Owned by the catalog service.

CREATE TABLE products (
  id CHAR(36) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  description TEXT NULL,
  price BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_products_sku (sku),
  -- the public list, newest first, with a keyset cursor.
  KEY ix_products_created (created_at, id),
  CONSTRAINT ck_products_price CHECK (price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stocks (
  product_id CHAR(36) NOT NULL,
  quantity INT NOT NULL,
  -- bumped by every change of quantity, in the statement that checks it (optimistic locking).
  version INT NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (product_id),
  -- the last line of defence for the invariant: available stock never goes below zero.
  CONSTRAINT ck_stocks_quantity CHECK (quantity >= 0),
  CONSTRAINT fk_stocks_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reservations (
  -- the order service's reservationId: the primary key makes reserve idempotent.
  id CHAR(36) NOT NULL,
  status ENUM('RESERVED', 'CONFIRMED', 'RELEASED') NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  -- the sweeper's scan for expired, unsettled reservations.
  KEY ix_reservations_status_expires (status, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE reservation_items (
  reservation_id CHAR(36) NOT NULL,
  product_id CHAR(36) NOT NULL,
  quantity INT NOT NULL,
  -- the price at the moment of reservation: the order snapshots it.
  unit_price BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  sku VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  PRIMARY KEY (reservation_id, product_id),
  KEY ix_reservation_items_product (product_id),
  CONSTRAINT ck_reservation_items_quantity CHECK (quantity > 0),
  CONSTRAINT fk_reservation_items_reservation FOREIGN KEY (reservation_id) REFERENCES reservations (id) ON DELETE CASCADE,
  CONSTRAINT fk_reservation_items_product FOREIGN KEY (product_id) REFERENCES products (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE processed_events (
  -- the consumer's idempotency: one row per order event whose effect was applied.
  event_id CHAR(36) NOT NULL,
  event_type VARCHAR(64) NOT NULL,
  processed_at DATETIME(3) NOT NULL,
  PRIMARY KEY (event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
