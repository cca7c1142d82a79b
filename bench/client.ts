// Set-up calls of the benchmark through the gateway (not the measured load), on the shared
// test HTTP client and the stack's own sign-in.
import { call, type HttpResult } from "@app/shared/testing";
import { login } from "../scripts/stack/seed";

export { call, login };

/** The body of an answer with the expected status; anything else stops the benchmark. */
export async function expectStatus<T>(
  request: Promise<HttpResult<T>>,
  status: number,
  what: string,
): Promise<T> {
  const res = await request;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Registers a customer and returns its access token. */
export async function customer(
  base: string,
  email: string,
): Promise<{ id: string; token: string }> {
  const password = "bench-password-1";
  const user = await expectStatus(
    call<{ id: string }>(base, "POST", "/api/v1/auth/register", { body: { email, password } }),
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
    const product = await expectStatus(
      call<{ id: string }>(base, "POST", "/api/v1/products", { token: adminToken, body }),
      201,
      "create product",
    );
    ids.push(product.id);
  }
  return ids;
}
