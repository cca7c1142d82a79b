import {
  buildOpenApiDocument,
  locationHeaderDocs,
  OpenAPIRegistry,
  problemResponse,
  problemResponses,
  retryAfterHeaderDocs,
  z,
} from "../src";

type Response = { description: string; headers?: Record<string, { $ref?: string }> };
type Document = {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { headers?: Record<string, unknown>; schemas: Record<string, unknown> };
};

const thing = z.object({ id: z.string() }).openapi("Thing");
const json = { content: { "application/json": { schema: thing } } };

/** A small service: a public GET, a secured POST with a body, and a bodiless secured POST. */
function document(): Document {
  const registry = new OpenAPIRegistry();
  registry.registerPath({
    method: "get",
    path: "/things/{id}",
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: { description: "The thing", ...json }, ...problemResponses(404, 503) },
  });
  registry.registerPath({
    method: "post",
    path: "/things",
    security: [{ bearerAuth: [] }],
    request: { body: { required: true, ...json } },
    responses: {
      201: { description: "Created", headers: locationHeaderDocs, ...json },
      409: problemResponse("Problem: THING_BUSY, with Retry-After", retryAfterHeaderDocs),
      ...problemResponses(400, 503),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/things/{id}/poke",
    security: [{ bearerAuth: [] }],
    request: { params: z.object({ id: z.string() }) },
    responses: { 204: { description: "Poked" } },
  });
  return buildOpenApiDocument(registry, { title: "Things", version: "1.0.0" }) as never;
}

const headerNames = (response: Response | undefined) => Object.keys(response?.headers ?? {});

describe("buildOpenApiDocument: what the shared app sends on every operation", () => {
  const doc = document();
  const get = doc.paths["/things/{id}"]!.get!.responses;
  const post = doc.paths["/things"]!.post!.responses;
  const poke = doc.paths["/things/{id}/poke"]!.post!.responses;

  it("adds 500 everywhere; 413 and 415 where there is a request body; 401 where security asks", () => {
    expect(Object.keys(get)).toEqual(["200", "304", "404", "500", "503"]);
    expect(Object.keys(post)).toEqual(["201", "400", "401", "409", "413", "415", "500", "503"]);
    expect(Object.keys(poke)).toEqual(["204", "401", "500"]);
    expect(post["415"]!.description).toMatch(/UNSUPPORTED_MEDIA_TYPE/);
    expect(post["413"]!.description).toMatch(/PAYLOAD_TOO_LARGE/);
    expect(poke["500"]).toMatchObject({
      description: expect.stringMatching(/INTERNAL/),
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    });
  });

  it("declares X-Request-Id on every response", () => {
    for (const responses of [get, post, poke])
      for (const response of Object.values(responses))
        expect(headerNames(response)).toContain("X-Request-Id");
  });

  it("declares WWW-Authenticate on 401s and Retry-After on 503s, keeping the service's own headers", () => {
    expect(headerNames(post["401"])).toContain("WWW-Authenticate");
    expect(headerNames(get["503"])).toContain("Retry-After");
    expect(headerNames(post["503"])).toContain("Retry-After");
    expect(headerNames(post["409"])).toEqual(["Retry-After", "X-Request-Id"]);
    expect(headerNames(post["201"])).toEqual(["Location", "X-Request-Id"]);
  });

  it("answers If-None-Match on a GET: 304, and the 200 carries the ETag", () => {
    expect(headerNames(get["200"])).toEqual(["ETag", "X-Request-Id"]);
    expect(headerNames(get["304"])).toEqual(["ETag", "X-Request-Id"]);
    expect(headerNames(post["201"])).not.toContain("ETag");
  });

  it("puts exactly the header components it refers to in the document, and the Problem schema", () => {
    expect(Object.keys(doc.components.headers!).sort()).toEqual(
      ["ETag", "Location", "Retry-After", "WWW-Authenticate", "X-Request-Id"].sort(),
    );
    expect(doc.components.schemas.Problem).toBeDefined();
  });
});
