import { isDuplicateKey, type KeysetCursor as ListCursor } from "@app/shared";
import type { NewProduct, Product, ProductPatch } from "../domain/product";
import type { ProductPage, ProductRepository, UpdateProductResult } from "../application/ports";
import type { CatalogPrisma } from "./prismaClient";
import { Prisma } from "./prisma/generated/client";

type Row = Prisma.ProductGetPayload<{ include: { stock: true } }>;

function toProduct(row: Row): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: Number(row.price),
    currency: row.currency,
    availableQuantity: row.stock?.quantity ?? 0,
    stockVersion: row.stock?.version ?? 0,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export class PrismaProductRepository implements ProductRepository {
  constructor(private readonly prisma: CatalogPrisma) {}

  async list(limit: number, after?: ListCursor): Promise<ProductPage> {
    const rows = await this.prisma.product.findMany({
      include: { stock: true },
      where: after
        ? {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, id: { lt: after.id } },
            ],
          }
        : undefined,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      // One extra row tells whether another page exists without a count query.
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map(toProduct);
    const last = items[items.length - 1];
    return {
      items,
      next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }

  async findById(id: string): Promise<Product | null> {
    const row = await this.prisma.product.findUnique({ where: { id }, include: { stock: true } });
    return row ? toProduct(row) : null;
  }

  async create(id: string, input: NewProduct, now: Date) {
    try {
      const row = await this.prisma.product.create({
        data: {
          id,
          sku: input.sku,
          name: input.name,
          description: input.description ?? null,
          price: BigInt(input.price),
          currency: input.currency,
          createdAt: now,
          updatedAt: now,
          stock: { create: { quantity: input.initialQuantity, version: 0, updatedAt: now } },
        },
        include: { stock: true },
      });
      return { kind: "created" as const, product: toProduct(row) };
    } catch (error) {
      if (isDuplicateKey(error)) return { kind: "sku_taken" as const };
      throw error;
    }
  }

  async update(
    id: string,
    patch: ProductPatch,
    now: Date,
    ifUpdatedAt?: Date[],
  ): Promise<UpdateProductResult> {
    // One conditional statement: a concurrent PATCH cannot slip between the check and the write.
    const { count } = await this.prisma.product.updateMany({
      where: { id, ...(ifUpdatedAt ? { updatedAt: { in: ifUpdatedAt } } : {}) },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.price !== undefined ? { price: BigInt(patch.price) } : {}),
        updatedAt: now,
      },
    });
    const row = await this.prisma.product.findUnique({ where: { id }, include: { stock: true } });
    if (!row) return { kind: "not_found" };
    if (count === 0) return { kind: "stale" };
    return { kind: "updated", product: toProduct(row) };
  }
}
