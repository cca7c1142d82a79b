import type { KeysetCursor } from "@app/shared";
import type { WebhookEndpointStore } from "../application/ports";
import type { WebhookEndpoint, WebhookEndpointStatus } from "../domain/webhookEndpoint";
import { olderThan } from "./keysetWhere";
import type { Prisma } from "./prisma/generated/client";
import type { NotifierPrisma } from "./prismaClient";

type EndpointRow = Prisma.WebhookEndpointGetPayload<object>;

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    ...row,
    eventTypes: row.eventTypes.split(",").filter(Boolean),
    status: row.status as WebhookEndpointStatus,
  };
}

export class PrismaWebhookEndpointStore implements WebhookEndpointStore {
  constructor(private readonly prisma: NotifierPrisma) {}

  async create(endpoint: WebhookEndpoint): Promise<void> {
    await this.prisma.webhookEndpoint.create({
      data: { ...endpoint, eventTypes: endpoint.eventTypes.join(",") },
    });
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.prisma.webhookEndpoint.findUnique({ where: { id } });
    return row && toEndpoint(row);
  }

  async list(limit: number, after: KeysetCursor | null): Promise<WebhookEndpoint[]> {
    const rows = await this.prisma.webhookEndpoint.findMany({
      where: olderThan(after),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
    });
    return rows.map(toEndpoint);
  }

  async enabled(): Promise<WebhookEndpoint[]> {
    const rows = await this.prisma.webhookEndpoint.findMany({ where: { status: "ENABLED" } });
    return rows.map(toEndpoint);
  }

  async update(
    id: string,
    changes: Partial<
      Pick<WebhookEndpoint, "status" | "disabledReason" | "secret" | "failingSince" | "updatedAt">
    >,
  ): Promise<WebhookEndpoint | null> {
    const { count } = await this.prisma.webhookEndpoint.updateMany({
      where: { id },
      data: changes,
    });
    return count ? this.get(id) : null;
  }

  async recordFailure(id: string, at: Date): Promise<Date | null> {
    // Conditional: of two failures at once, the first one's time stands.
    await this.prisma.webhookEndpoint.updateMany({
      where: { id, failingSince: null },
      data: { failingSince: at },
    });
    return (await this.get(id))?.failingSince ?? null;
  }

  async recordSuccess(id: string): Promise<void> {
    await this.prisma.webhookEndpoint.updateMany({ where: { id }, data: { failingSince: null } });
  }
}
