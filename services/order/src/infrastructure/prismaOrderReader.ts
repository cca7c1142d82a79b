import type { OrderPage, OrderReader } from "../application/ports";
import type { KeysetCursor as OrderCursor } from "@app/shared";
import type { Order, OrderStatus } from "../domain/order";
import { Prisma, type PrismaClient } from "./prisma/generated/client";

interface OrderFields {
  id: string;
  userId: string;
  status: string;
  totalAmount: bigint;
  currency: string;
  reservationId: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ItemFields {
  productId: string;
  sku: string;
  name: string;
  unitPrice: bigint;
  quantity: number;
  lineTotal: bigint;
}

function toOrder(row: OrderFields, items: ItemFields[]): Order {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status as OrderStatus,
    totalAmount: Number(row.totalAmount),
    currency: row.currency,
    reservationId: row.reservationId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    items: items.map((i) => ({
      productId: i.productId,
      sku: i.sku,
      name: i.name,
      unitPrice: Number(i.unitPrice),
      quantity: i.quantity,
      lineTotal: Number(i.lineTotal),
    })),
  };
}

/** Keyset "older than the cursor" in (created_at DESC, id DESC) order. */
function olderThan(cursor: OrderCursor | null) {
  if (!cursor) return {};
  return {
    OR: [
      { createdAt: { lt: cursor.createdAt } },
      { createdAt: cursor.createdAt, id: { lt: cursor.id } },
    ],
  };
}

const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

type Snapshot = Prisma.TransactionClient;

/** Reads live orders and falls back to the archive, which the archiver fills. */
export class PrismaOrderReader implements OrderReader {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Every read here spans two tables (an order and its items, live and archived), and Prisma
   * sends each as its own query. One REPEATABLE READ transaction gives them one snapshot, in which
   * an archiver's chunk (copy and delete in one transaction) has either wholly happened or not: an
   * order is then never missing, doubled, or found without its items.
   */
  private inSnapshot<T>(read: (tx: Snapshot) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(read, {
      isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
    });
  }

  findById(orderId: string): Promise<Order | null> {
    return this.inSnapshot(async (tx) => {
      const live = await tx.order.findUnique({
        where: { id: orderId },
        include: { items: { orderBy: { id: "asc" } } },
      });
      if (live) return toOrder(live, live.items);
      const archived = await tx.orderArchive.findUnique({ where: { id: orderId } });
      if (!archived) return null;
      const items = await tx.orderItemArchive.findMany({
        where: { orderId },
        orderBy: { id: "asc" },
      });
      return toOrder(archived, items);
    });
  }

  async listByUser(userId: string, limit: number, after: OrderCursor | null): Promise<OrderPage> {
    const where = { userId, ...olderThan(after) };
    // Both tables in the same keyset order, merged: in one snapshot an order is in exactly one.
    const { live, archived, archivedItems } = await this.inSnapshot(async (tx) => {
      const live = await tx.order.findMany({
        where,
        orderBy: NEWEST_FIRST,
        take: limit + 1,
        include: { items: { orderBy: { id: "asc" } } },
      });
      const archived = await tx.orderArchive.findMany({
        where,
        orderBy: NEWEST_FIRST,
        take: limit + 1,
      });
      const archivedItems = archived.length
        ? await tx.orderItemArchive.findMany({
            where: { orderId: { in: archived.map((a) => a.id) } },
            orderBy: { id: "asc" },
          })
        : [];
      return { live, archived, archivedItems };
    });
    const merged = [
      ...live.map((o) => toOrder(o, o.items)),
      ...archived.map((o) =>
        toOrder(
          o,
          archivedItems.filter((i) => i.orderId === o.id),
        ),
      ),
    ].sort(
      (a, b) =>
        b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    const items = merged.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: merged.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
    };
  }
}
