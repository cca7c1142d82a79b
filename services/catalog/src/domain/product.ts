/** A product as the catalog presents it: money in minor units, stock read with its version. */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
  availableQuantity: number;
  stockVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewProduct {
  sku: string;
  name: string;
  description?: string | null;
  price: number;
  currency: string;
  initialQuantity: number;
}

export interface ProductPatch {
  name?: string;
  description?: string | null;
  price?: number;
}

export interface StockLevel {
  productId: string;
  availableQuantity: number;
  stockVersion: number;
}
