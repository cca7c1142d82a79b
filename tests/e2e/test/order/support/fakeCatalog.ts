import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and cuts every connection it still holds (a stalled one never ends). */
function closer(server: net.Server) {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

/** A catalog that accepts connections and reads requests but never answers one. */
export async function startStalledCatalog() {
  /** Each connection: the request line it sent (once it arrived) and whether it is still open. */
  const connections: { requestLine: string; open: boolean }[] = [];
  const server = net.createServer((socket) => {
    const connection = { requestLine: "", open: true };
    connections.push(connection);
    socket.on("data", (chunk: Buffer) => {
      connection.requestLine ||= chunk.toString("latin1").split("\r\n")[0]!;
    });
    socket.on("close", () => (connection.open = false));
  });
  const close = closer(server);
  return { url: await listen(server), accepted: () => connections.length, connections, close };
}

/** Stands in for the catalog at the port boundary: answers what the test says, records what came. */
export async function startFakeCatalog(answer: (request: SeenRequest) => FakeAnswer) {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers };
      seen.push(request);
      const reply = answer(request);
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  const close = closer(server);
  return { url: await listen(server), seen, close };
}

/** Forwards every request to the real catalog and records what the catalog was sent. */
export async function startRecordingProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  const close = closer(server);
  return { url: await listen(server), seen, close };
}
