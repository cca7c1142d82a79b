import net from "node:net";
import type { AddressInfo } from "node:net";

export interface TcpProxy {
  port: number;
  /** `http://127.0.0.1:<port>`, for HTTP dependencies. */
  url: string;
  /** Refuses every new connection and cuts the open ones: the dependency is down. */
  down(): void;
  up(): void;
  /**
   * Arms a one-shot cut: the next client packet containing `marker` (e.g. `COMMIT`) reaches the
   * server, and the connection is cut as soon as the server answers, so the server acted but the
   * client never hears it. Resolves once the cut happened.
   */
  cutAfterRequest(marker: string): Promise<void>;
  /** Resets every open connection; new ones are let through (a network blip, a failover). */
  cutConnections(): void;
  /**
   * A blackhole: connections are accepted and their bytes swallowed, answers never come; lifting
   * it cuts what it held (the peers' TCP state is gone) and lets new connections through.
   */
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

/** A TCP forwarder in front of a real server, so a test can take that server off the network. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let isDown = false;
  let isBlackhole = false;
  let armed: { marker: Buffer; cut: () => void } | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (isDown) return client.destroy();
    if (isBlackhole) {
      sockets.add(client);
      client.on("close", () => sockets.delete(client));
      client.on("error", () => client.destroy());
      client.resume();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    let cutOnAnswer: (() => void) | undefined;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      if (isBlackhole) return;
      if (armed && chunk.includes(armed.marker)) {
        cutOnAnswer = armed.cut;
        armed = undefined;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.on("data", (chunk: Buffer) => {
      if (isBlackhole) return;
      if (cutOnAnswer) {
        client.destroy();
        upstream.destroy();
        cutOnAnswer();
        return;
      }
      if (!client.write(chunk)) upstream.pause();
    });
    client.on("drain", () => upstream.resume());
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    down() {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up() {
      isDown = false;
    },
    cutConnections() {
      for (const s of sockets) s.destroy();
    },
    blackhole(on) {
      if (isBlackhole && !on) for (const s of sockets) s.destroy();
      isBlackhole = on;
    },
    cutAfterRequest(marker) {
      return new Promise<void>((resolve) => {
        armed = { marker: Buffer.from(marker), cut: resolve };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
