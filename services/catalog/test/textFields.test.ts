import { randomUUID } from "node:crypto";
import { call, startTestCatalog, type TestCatalog } from "./support";

// What an outside probe stored as it came: a NUL in a name, a lone surrogate (kept as "?"),
// and a currency no one issues ("ZZZ").
let t: TestCatalog;

beforeAll(async () => {
  t = await startTestCatalog();
});

afterAll(async () => {
  await t.close();
});

const create = (fields: Record<string, unknown>) =>
  call(t.url, "POST", "/api/v1/products", {
    token: t.adminToken,
    body: {
      sku: `TXT-${randomUUID().slice(0, 8)}`,
      name: "Plain name",
      price: 100,
      currency: "EUR",
      initialQuantity: 1,
      ...fields,
    },
  });

describe("product text and currency", () => {
  it.each([
    ["a NUL in the name", { name: "a\u0000b" }, "name"],
    ["an escape character in the name", { name: "a\u001bb" }, "name"],
    ["a lone surrogate in the name", { name: "a\ud800b" }, "name"],
    ["a NUL in the description", { description: "line\u0000" }, "description"],
    ["a currency ISO 4217 does not list", { currency: "ZZZ" }, "currency"],
  ])("refuses %s with 400 VALIDATION_FAILED and stores nothing", async (_what, fields, path) => {
    const res = await create(fields);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ path }] });
  });

  it("keeps line breaks and tabs in a description, emoji anywhere, and any ISO 4217 code", async () => {
    const res = await create({
      name: "Mug \u{1F375}",
      description: "First line\n\tsecond line\r\n",
      currency: "JPY",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: "Mug \u{1F375}",
      description: "First line\n\tsecond line\r\n",
      currency: "JPY",
    });
  });
});
