// A JSON client for the benchmark's set-up calls through the gateway (not for the measured load).
export async function api<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function expectStatus<T>(
  call: Promise<{ status: number; body: T }>,
  status: number,
  what: string,
): Promise<T> {
  const res = await call;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function login(base: string, email: string, password: string): Promise<string> {
  return (
    await expectStatus(
      api<{ accessToken: string }>(base, "POST", "/api/v1/auth/login", {
        body: { email, password },
      }),
      200,
      "login",
    )
  ).accessToken;
}

/** Registers a customer and returns its access token. */
export async function customer(
  base: string,
  email: string,
): Promise<{ id: string; token: string }> {
  const password = "bench-password-1";
  const user = await expectStatus(
    api<{ id: string }>(base, "POST", "/api/v1/auth/register", { body: { email, password } }),
    201,
    "register",
  );
  return { id: user.id, token: await login(base, email, password) };
}

export async function createProducts(
  base: string,
  adminToken: string,
  count: number,
  quantity: number,
  label: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = {
      sku: `${label}-${i}-${Date.now().toString(36)}`,
      name: `Bench product ${i}`,
      price: 1000 + i,
      currency: "EUR",
      initialQuantity: quantity,
    };
    ids.push(
      (
        await expectStatus(
          api<{ id: string }>(base, "POST", "/api/v1/products", { token: adminToken, body }),
          201,
          "create product",
        )
      ).id,
    );
  }
  return ids;
}
