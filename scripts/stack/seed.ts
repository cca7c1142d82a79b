// The demo catalog (scripts/stack/demo-catalog.jsonl, one product a line: compose's demo-seed
// reads the same file), created through the public API with an admin token from auth's own
// command (RunningStack.adminToken), so the public login's throttle never blocks it; a second run
// adds nothing because a known sku answers 409 SKU_TAKEN.
import fs from "node:fs";
import path from "node:path";

export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  initialQuantity: number;
}

export const DEMO_PRODUCTS: DemoProduct[] = fs
  .readFileSync(path.join(__dirname, "demo-catalog.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as DemoProduct);

/** Signs in through the gateway and returns the access token. */
export async function login(gatewayUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200)
    throw new Error(`login as ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export async function seedDemoCatalog(
  gatewayUrl: string,
  token: string,
): Promise<{ created: number; existing: number }> {
  let created = 0;
  let existing = 0;
  for (const product of DEMO_PRODUCTS) {
    const res = await fetch(`${gatewayUrl}/api/v1/products`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(product),
    });
    if (res.status === 201) created++;
    else if (res.status === 409) existing++;
    else throw new Error(`seeding ${product.sku} failed: ${res.status} ${await res.text()}`);
  }
  return { created, existing };
}
