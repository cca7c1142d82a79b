import { orderOpenApi } from "../src/api/openapi";

type Response = { description: string; headers?: Record<string, unknown> };
const document = orderOpenApi() as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
};
const responses = (method: string, path: string) => document.paths[path]![method]!.responses;
const headers = (method: string, path: string, status: number) =>
  Object.keys(responses(method, path)[status]?.headers ?? {});

describe("the order service's OpenAPI document", () => {
  it("lists every status POST /api/v1/orders answers", () => {
    expect(Object.keys(responses("post", "/api/v1/orders"))).toEqual([
      "201",
      "400",
      "401",
      "402",
      "409",
      "413",
      "415",
      "422",
      "500",
      "503",
    ]);
  });

  it("declares the headers of a placement's answers", () => {
    expect(headers("post", "/api/v1/orders", 201)).toEqual([
      "Location",
      "Idempotent-Replayed",
      "X-Request-Id",
    ]);
    // Stored final answers are replayed with Idempotent-Replayed; a key in use says Retry-After.
    for (const status of [402, 409, 422])
      expect(headers("post", "/api/v1/orders", status)).toContain("Idempotent-Replayed");
    expect(headers("post", "/api/v1/orders", 409)).toContain("Retry-After");
    expect(headers("post", "/api/v1/orders", 503)).toContain("Retry-After");
    expect(headers("post", "/api/v1/orders", 401)).toContain("WWW-Authenticate");
  });

  it("names the codes each status of POST /api/v1/orders carries", () => {
    const placement = responses("post", "/api/v1/orders");
    expect(placement["409"]!.description).toMatch(/OUT_OF_STOCK.*IDEMPOTENCY_KEY_IN_USE/);
    expect(placement["422"]!.description).toMatch(
      /PRODUCT_NOT_FOUND.*CURRENCY_MISMATCH.*IDEMPOTENCY_KEY_REUSED/,
    );
    expect(placement["503"]!.description).toMatch(/DEPENDENCY_UNAVAILABLE/);
  });

  it("documents 500 and 503 on every operation, 304 on every GET, X-Request-Id on every answer", () => {
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, { responses: answers }] of Object.entries(operations)) {
        expect([method, path, Object.keys(answers)]).toEqual([
          method,
          path,
          expect.arrayContaining(["500", "503", ...(method === "get" ? ["304"] : [])]),
        ]);
        for (const [status, answer] of Object.entries(answers))
          expect([method, path, status, Object.keys(answer.headers ?? {})]).toEqual([
            method,
            path,
            status,
            expect.arrayContaining(["X-Request-Id"]),
          ]);
      }
  });
});
