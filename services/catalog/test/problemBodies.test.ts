import { testProblemBodies } from "@app/shared/testing";
import { problemFor, type CatalogFailure } from "../src/api/problems";

// Every problem the catalog maps an outcome to obeys RFC 9457: `status` is the HTTP status
// number and no extension takes a standard member's name.
const failures: CatalogFailure[] = [
  { kind: "product_not_found" },
  { kind: "sku_taken", sku: "SKU-1" },
  { kind: "precondition_required" },
  { kind: "precondition_failed" },
  { kind: "precondition_failed", currentETag: '"1"' },
  { kind: "stock_version_conflict", currentVersion: 1 },
  { kind: "out_of_stock", shortItems: [] },
  { kind: "products_missing", productIds: [] },
  { kind: "contention", attempts: 1 },
  { kind: "reservation_not_found" },
  { kind: "reservation_confirmed" },
  { kind: "reservation_released" },
];

describe("catalog problem bodies", () => testProblemBodies(failures, problemFor));
