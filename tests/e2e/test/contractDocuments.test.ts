import fs from "node:fs";
import { Parser } from "@asyncapi/parser";
import { ORDER_EVENT_TYPES } from "@app/shared";
import { anOrderEvent } from "@app/shared/testing";
import { ASYNCAPI_FILE, asyncApiYaml } from "../../../scripts/docs/asyncapi";
import {
  mergedOpenApiDocument,
  OPENAPI_FILE,
  serviceDocuments,
} from "../../../scripts/docs/openapi";
import { routes } from "../../../scripts/gateway/nginxConf";

/** The gateway route a path takes (as nginx matches them), if any. */
const routeFor = (path: string) =>
  path.startsWith("/internal")
    ? undefined
    : routes.find((r) =>
        r.match === "exact" ? path === r.path : path === r.path || path.startsWith(`${r.path}/`),
      );

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
type Paths = Record<string, Record<string, unknown>>;
const operations = (paths: Paths) =>
  Object.entries(paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );

describe("docs/asyncapi.yaml", () => {
  it("is what scripts/docs/asyncapi.ts generates from the event schemas (npm run docs:asyncapi)", () => {
    expect(fs.readFileSync(ASYNCAPI_FILE, "utf8")).toBe(asyncApiYaml());
  });

  it("is a valid AsyncAPI 3 document for order-events and its dead-letter topic", async () => {
    const { document, diagnostics } = await new Parser().parse(
      fs.readFileSync(ASYNCAPI_FILE, "utf8"),
    );
    // Severity 0 is an error; warnings and hints do not make a document invalid.
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(document!.version()).toBe("3.0.0");
    const channels = Object.fromEntries(
      document!
        .channels()
        .all()
        .map((c) => [
          c.address(),
          c
            .messages()
            .all()
            .map((m) => m.name()),
        ]),
    );
    expect(channels).toEqual({
      "order-events": [...ORDER_EVENT_TYPES],
      "order-events.dlq": ["DEAD_LETTER"],
    });
    const created = document!
      .messages()
      .all()
      .find((m) => m.name() === "ORDER_CREATED")!;
    expect(Object.keys(created.headers()!.properties() ?? {}).sort()).toEqual(
      // The contract's four, and the mark of an event replayed from the dead-letter topic.
      ["event-id", "event-type", "traceparent", "x-request-id", "dlq-replayed-from"].sort(),
    );
    expect(created.payload()!.properties()!.eventType!.const()).toBe("ORDER_CREATED");
    expect(created.bindings().get("kafka")!.value().key).toEqual(
      expect.objectContaining({ type: "string", format: "uuid" }),
    );
  });

  it("describes the payload the order service writes: every field of the shared fixture is in it", async () => {
    const { document } = await new Parser().parse(fs.readFileSync(ASYNCAPI_FILE, "utf8"));
    const payload = document!
      .messages()
      .all()
      .find((m) => m.name() === "ORDER_CREATED")!
      .payload()!
      .properties()!.payload!;
    const event = anOrderEvent();
    expect(Object.keys(payload.properties()!).sort()).toEqual(Object.keys(event.payload).sort());
    expect(payload.required()!.sort()).toEqual(Object.keys(event.payload).sort());
  });
});

describe("docs/openapi.json (served at GET /api/openapi.json)", () => {
  const committed = JSON.parse(fs.readFileSync(OPENAPI_FILE, "utf8")) as {
    openapi: string;
    paths: Paths;
  };

  it("is the merge of the services' generated documents (npm run docs:openapi)", () => {
    expect(committed).toEqual(mergedOpenApiDocument());
  });

  it("is OpenAPI 3.1 with every public operation of every service and no /internal path", () => {
    expect(committed.openapi).toBe("3.1.0");
    const publicOps = serviceDocuments().flatMap(({ document }) =>
      operations(document.paths ?? {}).filter((op) => !op.split(" ")[1]!.startsWith("/internal")),
    );
    expect(publicOps.length).toBeGreaterThan(10);
    expect(operations(committed.paths).sort()).toEqual(publicOps.sort());
    expect(Object.keys(committed.paths).filter((p) => p.includes("internal"))).toEqual([]);
  });

  it("lists only paths the gateway routes", () => {
    const unrouted = Object.keys(committed.paths).filter(
      (p) => !routeFor(p.replace(/\{[^}]+\}/g, "x")),
    );
    expect(unrouted).toEqual([]);
  });
});
