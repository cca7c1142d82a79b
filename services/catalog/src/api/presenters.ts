import type { Product, StockLevel } from "../domain/product";
import type { Reservation } from "../domain/reservation";

export const productView = (p: Product) => ({
  id: p.id,
  sku: p.sku,
  name: p.name,
  description: p.description,
  price: p.price,
  currency: p.currency,
  availableQuantity: p.availableQuantity,
  stockVersion: p.stockVersion,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const stockView = (s: StockLevel) => ({
  productId: s.productId,
  availableQuantity: s.availableQuantity,
  stockVersion: s.stockVersion,
});

export const reservationView = (r: Reservation) => ({
  reservationId: r.reservationId,
  status: r.status,
  expiresAt: r.expiresAt.toISOString(),
  items: r.items.map((i) => ({
    productId: i.productId,
    sku: i.sku,
    name: i.name,
    quantity: i.quantity,
    unitPrice: i.unitPrice,
    currency: i.currency,
  })),
});

export const reservationStatusView = (r: Reservation) => ({
  reservationId: r.reservationId,
  status: r.status,
});
