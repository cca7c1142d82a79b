import path from "node:path";
import { migratedSchemaDifferences, readPrismaSchema } from "@app/shared/testing";
import { NOTIFIER_MIGRATIONS_DIR } from "../src/main";

const models = readPrismaSchema(path.join(__dirname, "../prisma/schema.prisma"));

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("parses the notifications model with its primary key and unique event id", () => {
    expect(models.map((m) => m.table)).toEqual([
      "notifications",
      "notification_deliveries",
      "webhook_endpoints",
      "notification_preferences",
    ]);
    expect(models[0]?.uniques).toEqual([["id"], ["event_id"]]);
    expect(models[0]?.columns).toEqual([
      "id",
      "event_id",
      "user_id",
      "order_id",
      "type",
      "message",
      "created_at",
      "sent_at",
      "payload",
      "occurred_at",
    ]);
  });

  it("keeps one delivery per notification, channel and target", () => {
    expect(models[1]?.uniques).toEqual([["id"], ["notification_id", "channel", "target"]]);
  });

  it("has every table, column and unique key of the schema after migrating", async () => {
    expect(await migratedSchemaDifferences(NOTIFIER_MIGRATIONS_DIR, models)).toEqual([]);
  });
});
