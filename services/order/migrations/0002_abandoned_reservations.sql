-- Reservations the catalog's sweeper was told have NO_ORDER. The answer is final: the placement
-- transaction refuses to create an order with a reservation listed here.
CREATE TABLE abandoned_reservations (
  reservation_id CHAR(36) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (reservation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
