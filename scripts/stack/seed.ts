// The demo catalog, created through the public API with an admin token from auth's own command
// (RunningStack.adminToken), so the public login's throttle never blocks it; a second run adds
// nothing because a known sku answers 409 SKU_TAKEN.
export const DEMO_PRODUCTS = [
  {
    sku: "DEMO-KEYBOARD",
    name: "Mechanical keyboard",
    description: "Tenkeyless, brown switches",
    price: 8999,
    currency: "EUR",
    initialQuantity: 25,
  },
  {
    sku: "DEMO-MOUSE",
    name: "Wireless mouse",
    description: "Ergonomic, 2.4 GHz",
    price: 3499,
    currency: "EUR",
    initialQuantity: 40,
  },
  {
    sku: "DEMO-MONITOR",
    name: "27-inch monitor",
    description: "1440p, 144 Hz",
    price: 32900,
    currency: "EUR",
    initialQuantity: 10,
  },
  {
    sku: "DEMO-HEADSET",
    name: "Headset",
    description: "Closed-back with boom mic",
    price: 5900,
    currency: "EUR",
    initialQuantity: 15,
  },
  {
    sku: "DEMO-LAST-ONE",
    name: "Collector's edition",
    description: "Only five exist",
    price: 19900,
    currency: "EUR",
    initialQuantity: 5,
  },
];

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
