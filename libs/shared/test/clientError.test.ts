import net from "node:net";
import { PassThrough } from "node:stream";
import { startHttpServer } from "../src";
import { waitFor } from "../src/testing";
import { answerClientError } from "../src/http/clientError";
import { buildTestApp } from "./testApp";

// What Node's HTTP parser refuses before any route runs was answered with a bare status line
// and no body ("HTTP/1.1 400 Bad Request", nothing else): a client behind the user's own
// gateway got no problem+json there, unlike from every route.
describe("requests the HTTP parser refuses", () => {
  let running: Awaited<ReturnType<typeof startHttpServer>>;

  beforeAll(async () => {
    const t = buildTestApp((a) => a.get("/ping", (_req, res) => res.json({ pong: true })));
    running = await startHttpServer(t.app, { port: 0, host: "127.0.0.1", logger: t.logger });
  });

  afterAll(async () => {
    await running.close();
  });

  /** Writes bytes a client library would not send and reads the answer to the connection's end. */
  function raw(text: string): Promise<{ head: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(running.port, "127.0.0.1");
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("error", reject);
      socket.on("close", () => {
        const all = Buffer.concat(chunks).toString("utf8");
        const split = all.indexOf("\r\n\r\n");
        resolve({ head: all.slice(0, split + 2), body: all.slice(split + 4) });
      });
      socket.write(text);
    });
  }

  it("answers a malformed request with 400 problem+json and closes", async () => {
    const res = await raw("NOT A REQUEST\r\n\r\n");
    expect(res.head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(res.head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(res.head).toMatch(/\r\nConnection: close\r\n/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: "BAD_REQUEST" });
  });

  it("answers headers over Node's limit with 431 problem+json", async () => {
    const res = await raw(
      `GET /ping HTTP/1.1\r\nHost: x\r\nX-Padding: ${"x".repeat(20_000)}\r\n\r\n`,
    );
    expect(res.head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(res.head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, code: "HEADERS_TOO_LARGE" });
  });

  // Behind a gateway the connection is kept alive: a refusal on it after an answer was dropped
  // with no response at all, and nginx turned the lost answer into a retryable 503.
  it("answers a request it refuses on a connection that already carried an answer", async () => {
    const socket = net.connect(running.port, "127.0.0.1");
    let received = "";
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")));
    // As a gateway does: the next request only once the previous answer is in.
    socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(async () => received.includes('{"pong":true}'));
    socket.write(
      "POST /ping HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\x7fb\r\nContent-Length: 0\r\n\r\n",
    );
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/\}HTTP\/1\.1 400 Bad Request\r\n/);
    expect(received).toMatch(/"code":"BAD_REQUEST"/);
  });

  it("carries the refused request's sane X-Request-Id, or a fresh one, in header and body", async () => {
    const res = await raw(
      "POST /ping HTTP/1.1\r\nHost: x\r\nX-Request-Id: probe-refused-1\r\nBad: a\x7fb\r\n\r\n",
    );
    expect(res.head).toMatch(/\r\nX-Request-Id: probe-refused-1\r\n/);
    expect(JSON.parse(res.body)).toMatchObject({
      code: "BAD_REQUEST",
      requestId: "probe-refused-1",
    });

    const unnamed = await raw("NOT A REQUEST\r\n\r\n");
    const id = /\r\nX-Request-Id: ([^\r]+)\r\n/.exec(unnamed.head)?.[1];
    expect(id).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(JSON.parse(unnamed.body)).toMatchObject({ requestId: id });
  });

  it("still serves well-formed requests", async () => {
    const res = await raw("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(res.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(JSON.parse(res.body)).toEqual({ pong: true });
  });
});

describe("answerClientError", () => {
  // Node's headers timeout reports through the same listener, at its own pace (its check runs
  // every 30 s): the answer it gets, on a stand-in socket.
  it("answers a request that timed out with 408 problem+json", () => {
    const socket = new PassThrough();
    let sent = "";
    socket.on("data", (chunk: Buffer) => (sent += chunk.toString("utf8")));
    const error = Object.assign(new Error("Request Timeout"), { code: "ERR_HTTP_REQUEST_TIMEOUT" });
    answerClientError(error, socket);
    expect(sent).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(sent.slice(sent.indexOf("\r\n\r\n") + 4))).toMatchObject({
      status: 408,
      code: "REQUEST_TIMEOUT",
    });
  });

  it("only closes a connection whose response in progress already sent its headers", () => {
    const socket = Object.assign(new PassThrough(), { _httpMessage: { headersSent: true } });
    let sent = "";
    socket.on("data", (chunk: Buffer) => (sent += chunk.toString("utf8")));
    answerClientError(Object.assign(new Error("parse"), { code: "HPE_INVALID_METHOD" }), socket);
    expect(socket.destroyed).toBe(true);
    expect(sent).toBe("");
  });
});
