import { createPool, type Pool } from "../database";
import { createTestDatabase, type TestDatabase } from "./servers";

/**
 * Registers jest hooks that give the calling `describe` an empty database of its own and a
 * one-connection pool to it, made before all its tests (or each, with `"each"`) and dropped after.
 */
export function scratchDatabase(
  prefix: string,
  lifetime: "all" | "each" = "all",
): { readonly db: TestDatabase; readonly pool: Pool } {
  const scratch = {} as { db: TestDatabase; pool: Pool };
  (lifetime === "each" ? beforeEach : beforeAll)(async () => {
    scratch.db = await createTestDatabase(null, prefix);
    scratch.pool = createPool(scratch.db.url, { connectionLimit: 1 });
  });
  (lifetime === "each" ? afterEach : afterAll)(async () => {
    await scratch.pool.end();
    await scratch.db.drop();
  });
  return scratch;
}
