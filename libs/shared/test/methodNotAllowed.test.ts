import { Router } from "express";
import request from "supertest";
import { createHttpApp, createLogger, Metrics } from "../src";

// A documented path asked with a method it does not answer was 404 NOT_FOUND ("No route for
// DELETE /api/v1/products") although OPTIONS on it listed its methods.
describe("a documented path asked with another method", () => {
  const app = createHttpApp({
    service: "test-svc",
    logger: createLogger({ service: "test-svc", silent: true }),
    metrics: new Metrics({ collectDefaults: false }),
    trustProxy: "loopback",
    // In a router of their own, as every service mounts its routes.
    routes: (a) => {
      const router = Router();
      router.get("/api/v1/things", (_req, res) => void res.json({ items: [] }));
      router.post("/api/v1/things", (_req, res) => void res.status(201).json({}));
      router.get("/api/v1/things/:id", (req, res) => void res.json({ id: req.params.id }));
      a.use(router);
    },
    openapi: () => ({
      openapi: "3.1.0",
      paths: {
        "/api/v1/things": { get: {}, post: {} },
        "/api/v1/things/{id}": { get: {} },
      },
    }),
  });

  it("answers 405 METHOD_NOT_ALLOWED problem+json with Allow", async () => {
    const res = await request(app).delete("/api/v1/things");
    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers.allow).toBe("GET, POST, HEAD, OPTIONS");
    expect(res.body).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED" });

    const one = await request(app).put("/api/v1/things/abc");
    expect(one.status).toBe(405);
    expect(one.headers.allow).toBe("GET, HEAD, OPTIONS");
  });

  it("still serves the documented methods, HEAD and OPTIONS, and 404s unknown paths", async () => {
    expect((await request(app).get("/api/v1/things/abc")).status).toBe(200);
    expect((await request(app).head("/api/v1/things")).status).toBe(200);
    expect((await request(app).options("/api/v1/things")).status).toBe(200);
    const unknown = await request(app).delete("/api/v1/things/abc/parts");
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("NOT_FOUND");
  });
});
