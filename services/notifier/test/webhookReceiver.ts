import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  url(path: string): string;
  calls: ReceivedCall[];
  callsTo(path: string): ReceivedCall[];
  close(): Promise<void>;
}

/** An HTTP endpoint the notifier calls: /ok answers 204, /fail 500, /hang never answers. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const calls: ReceivedCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      calls.push({ path, headers, body: Buffer.concat(chunks).toString() });
      if (path.startsWith("/hang")) return;
      res.statusCode = path.startsWith("/fail") ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (path) => `${base}${path}`,
    calls,
    callsTo: (path) => calls.filter((c) => c.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
