import type { KeysetCursor, Pool } from "@app/shared";
import type { WebhookEndpointStore } from "../application/ports";
import type { WebhookEndpoint, WebhookEndpointStatus } from "../domain/webhookEndpoint";

// On the driver pool: the consumer reads the enabled endpoints once per fetched batch and the
// webhook worker reads an endpoint per call, where a Prisma query cost four times the same
// statement on the driver (CPU).

// Aliased to the model's names; event types are stored comma-separated.
const COLUMNS = `id, url, event_types AS eventTypes, secret, status,
  disabled_reason AS disabledReason, failing_since AS failingSince,
  created_at AS createdAt, updated_at AS updatedAt`;

type EndpointRow = Omit<WebhookEndpoint, "eventTypes"> & { eventTypes: string };

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    ...row,
    eventTypes: row.eventTypes.split(",").filter(Boolean),
    status: row.status as WebhookEndpointStatus,
  };
}

type Changes = Partial<
  Pick<WebhookEndpoint, "status" | "disabledReason" | "secret" | "failingSince" | "updatedAt">
>;

// update(): each column keeps its value unless the change names it (a flag before each value),
// so one statement covers every combination and two updates of different columns never undo
// each other.
const UPDATE_SQL = `UPDATE webhook_endpoints SET
    status = IF(?, ?, status),
    disabled_reason = IF(?, ?, disabled_reason),
    secret = IF(?, ?, secret),
    failing_since = IF(?, ?, failing_since),
    updated_at = IF(?, ?, updated_at)
  WHERE id = ?`;
const UPDATE_FIELDS = ["status", "disabledReason", "secret", "failingSince", "updatedAt"] as const;

export class MariaDbWebhookEndpointStore implements WebhookEndpointStore {
  constructor(private readonly pool: Pool) {}

  async create(endpoint: WebhookEndpoint): Promise<void> {
    await this.pool.query(
      `INSERT INTO webhook_endpoints (id, url, event_types, secret, status, disabled_reason, failing_since, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        endpoint.id,
        endpoint.url,
        endpoint.eventTypes.join(","),
        endpoint.secret,
        endpoint.status,
        endpoint.disabledReason,
        endpoint.failingSince,
        endpoint.createdAt,
        endpoint.updatedAt,
      ],
    );
  }

  async get(id: string): Promise<WebhookEndpoint | null> {
    const [row]: EndpointRow[] = await this.pool.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = ?`,
      [id],
    );
    return row ? toEndpoint(row) : null;
  }

  async list(limit: number, after: KeysetCursor | null): Promise<WebhookEndpoint[]> {
    // Newest first, strictly older than the cursor (ties on created_at broken by id).
    const rows: EndpointRow[] = after
      ? await this.pool.query(
          `SELECT ${COLUMNS} FROM webhook_endpoints
           WHERE created_at < ? OR (created_at = ? AND id < ?)
           ORDER BY created_at DESC, id DESC LIMIT ?`,
          [after.createdAt, after.createdAt, after.id, limit],
        )
      : await this.pool.query(
          `SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY created_at DESC, id DESC LIMIT ?`,
          [limit],
        );
    return rows.map(toEndpoint);
  }

  async enabled(): Promise<WebhookEndpoint[]> {
    const rows: EndpointRow[] = await this.pool.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE status = 'ENABLED'`,
    );
    return rows.map(toEndpoint);
  }

  async update(id: string, changes: Changes): Promise<WebhookEndpoint | null> {
    const { affectedRows }: { affectedRows: number } = await this.pool.query(UPDATE_SQL, [
      ...UPDATE_FIELDS.flatMap((field) => [changes[field] !== undefined, changes[field] ?? null]),
      id,
    ]);
    // The driver counts matched rows (found rows), so 0 means no such endpoint.
    return affectedRows ? this.get(id) : null;
  }

  async recordFailure(id: string, at: Date): Promise<Date | null> {
    // Conditional: of two failures at once, the first one's time stands.
    await this.pool.query(
      "UPDATE webhook_endpoints SET failing_since = ? WHERE id = ? AND failing_since IS NULL",
      [at, id],
    );
    return (await this.get(id))?.failingSince ?? null;
  }

  async recordSuccess(id: string): Promise<void> {
    await this.pool.query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?", [id]);
  }
}
