-- The catalog's sweeper asks whether an order holds a reservation; an archived order still does,
-- so that lookup reads orders_archive by reservation_id too. Plain CREATE INDEX: MySQL has no
-- IF NOT EXISTS for indexes, and the runner applies each file once.
CREATE INDEX ix_orders_archive_reservation ON orders_archive (reservation_id);
