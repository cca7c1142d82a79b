-- The catalog's sweeper asks whether an order holds a reservation; an archived order still does,
-- so that lookup reads orders_archive by reservation_id too.
CREATE INDEX IF NOT EXISTS ix_orders_archive_reservation ON orders_archive (reservation_id);
