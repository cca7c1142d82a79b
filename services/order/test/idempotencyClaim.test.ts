import path from "node:path";
import { createPool, type Pool } from "@app/shared";
import { createTestDatabase, type TestDatabase } from "@app/shared/testing";
import { MariaDbPlacementStore } from "../src/infrastructure/mariadbPlacementStore";

// The claim of a key races with a placement that frees the same key after a transient failure:
// the retry's insert finds the row, and the row is gone before the retry reads it.
describe("claiming an Idempotency-Key that is freed between the insert and the read", () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase(path.join(__dirname, "../migrations"), "order_claim");
    pool = createPool(db.url, { connectionLimit: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it("claims the key instead of failing when the first placement freed it meanwhile", async () => {
    const store = new MariaDbPlacementStore(pool);
    const now = new Date();
    const first = {
      userId: "00000000-0000-4000-8000-000000000001",
      key: "retried-key",
      reservationId: "00000000-0000-4000-8000-00000000000a",
      requestHash: "a".repeat(64),
      lockedUntil: new Date(now.getTime() + 30_000),
      now,
    };
    expect(await store.claim(first, new Date(0))).toEqual({ kind: "claimed" });

    // The retry's store: its first read of the key happens right after the first placement
    // freed the key (a transient failure, which is not stored).
    let freedBeforeRead = false;
    const racing = new Proxy(pool, {
      get(target, name) {
        if (name !== "query") return Reflect.get(target, name);
        return async (sql: string, values?: unknown[]) => {
          if (!freedBeforeRead && /^SELECT .* FROM idempotency_keys/s.test(sql)) {
            freedBeforeRead = true;
            await store.free(first);
          }
          return target.query(sql, values);
        };
      },
    });
    const retry = { ...first, reservationId: "00000000-0000-4000-8000-00000000000b" };
    const outcome = await new MariaDbPlacementStore(racing).claim(retry, new Date(0));

    expect(freedBeforeRead).toBe(true);
    expect(outcome).toEqual({ kind: "claimed" });
    const rows = (await pool.query(
      "SELECT reservation_id, state FROM idempotency_keys WHERE idempotency_key = 'retried-key'",
    )) as { reservation_id: string; state: string }[];
    expect(rows).toEqual([{ reservation_id: retry.reservationId, state: "IN_FLIGHT" }]);
  });
});
