import type { Product, StockLevel } from "../domain/product";

/**
 * A product's entity tag covers both parts of its representation: `"<stockVersion>-<updatedAt ms>"`.
 * A stock answer's tag is `"<stockVersion>"`. PUT .../stock checks the stock part of either tag;
 * PATCH checks the product part (so a reservation in between does not fail a name change).
 */
export const productETag = (p: Product) => `"${p.stockVersion}-${p.updatedAt.getTime()}"`;
export const stockETag = (s: StockLevel) => `"${s.stockVersion}"`;

const TAG = /^"(\d+)(?:-(\d+))?"$/;

export interface IfMatch {
  stockVersions: number[];
  productUpdatedAt: Date[];
}

/**
 * The strong entity tags of an If-Match header (RFC 9110 13.1.1: weak tags never match, and
 * neither does a tag this service did not make). `undefined` when the header is absent; `*` is
 * not accepted as a precondition here, since it would make the write blind again.
 */
export function parseIfMatch(header: string | undefined): IfMatch | undefined {
  if (header === undefined || header.trim() === "" || header.trim() === "*") return undefined;
  const result: IfMatch = { stockVersions: [], productUpdatedAt: [] };
  for (const raw of header.split(",")) {
    const match = TAG.exec(raw.trim());
    if (!match) continue;
    result.stockVersions.push(Number(match[1]));
    if (match[2] !== undefined) result.productUpdatedAt.push(new Date(Number(match[2])));
  }
  return result;
}
