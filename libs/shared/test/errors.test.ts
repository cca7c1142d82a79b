import request from "supertest";
import { z } from "zod";
import { parseOrThrow, problems } from "../src";
import { buildTestApp } from "./testApp";

const bodySchema = z.object({ name: z.string().min(2), quantity: z.number().int().positive() });

function app() {
  return buildTestApp((a) => {
    a.post("/things", (req, res) => {
      res.status(201).json(parseOrThrow(bodySchema, req.body));
    });
    a.get("/boom", () => {
      throw new Error("secret internals: SELECT * FROM users");
    });
    a.get("/gone", () => {
      throw problems.notFound("THING_NOT_FOUND", "No such thing.");
    });
  });
}

describe("problem+json error mapping", () => {
  test("a body that fails validation answers 400 VALIDATION_FAILED naming each bad field", async () => {
    const res = await request(app().app).post("/things").send({ name: "x", quantity: -1 });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      title: "Validation failed",
    });
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "name",
      "quantity",
    ]);
    expect(res.body.requestId).toBe(res.headers["x-request-id"]);
  });

  test.each([
    ["malformed JSON", "application/json", '{"name": ', 400, "MALFORMED_JSON"],
    // JSON, just not an object: the schema says what is wrong (was MALFORMED_JSON).
    ["a JSON null body", "application/json", "null", 400, "VALIDATION_FAILED"],
    ["a JSON string body", "application/json", '"x"', 400, "VALIDATION_FAILED"],
    [
      "a body over 1 MB",
      "application/json",
      JSON.stringify({ name: "x".repeat(1024 * 1024 + 10), quantity: 1 }),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
    ["a non-JSON body on a write route", "text/plain", "name=x", 415, "UNSUPPORTED_MEDIA_TYPE"],
  ])("%s answers %i %s", async (_what, contentType, body, status, code) => {
    const res = await request(app().app)
      .post("/things")
      .set("content-type", contentType as string)
      .send(body as string);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
  });

  test("an unknown route answers 404 NOT_FOUND", async () => {
    const res = await request(app().app).get("/nope");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  test("a thrown ProblemError keeps its own code and status", async () => {
    const res = await request(app().app).get("/gone");
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("THING_NOT_FOUND");
  });

  test("an unexpected error answers 500 INTERNAL without leaking, and is logged with its stack", async () => {
    const t = app();
    const res = await request(t.app).get("/boom").set("x-request-id", "req-boom-1");
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: "INTERNAL", requestId: "req-boom-1" });
    expect(JSON.stringify(res.body)).not.toMatch(/SELECT|secret internals|at /);
    const logged = t.lines.find((l) => l.msg === "unhandled error");
    expect(logged).toMatchObject({ level: "error", requestId: "req-boom-1", service: "test-svc" });
    expect(JSON.stringify(logged)).toContain("secret internals");
    expect((logged!.error as { stack: string }).stack).toMatch(/errors\.test\.ts/);
  });
});

describe("RFC 9457 members", () => {
  test("an extension may not reuse a member RFC 9457 defines, so status stays the HTTP status", () => {
    for (const member of ["type", "title", "status", "detail", "instance"]) {
      expect(() => problems.conflict("X", "d", { [member]: "COMPLETED" } as never)).toThrow(
        /reserved member/,
      );
    }
  });

  test("a problem's body carries the HTTP status number and its own extensions", async () => {
    const res = await request(
      buildTestApp((a) => {
        a.get("/done", () => {
          throw problems.conflict("ORDER_NOT_CANCELLABLE", "Done.", { orderStatus: "COMPLETED" });
        });
      }).app,
    ).get("/done");
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ status: 409, orderStatus: "COMPLETED" });
  });
});
