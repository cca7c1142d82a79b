// What a Kubernetes Service is to the replicas: one address the services call each other on
// (JWKS, the catalog's internal API, the order lookup), spread round robin over the replicas and
// skipping one that refuses the connection, so killing a replica never leaves a caller pointing
// at a dead port.
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(targetPorts: number[]): Promise<Balancer> {
  let turn = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.pause();
    const first = turn++ % targetPorts.length;
    const attempt = (tried: number) => {
      const port = targetPorts[(first + tried) % targetPorts.length]!;
      const upstream = net.connect(port, "127.0.0.1");
      let connected = false;
      upstream.once("error", () => {
        if (!connected && tried + 1 < targetPorts.length) attempt(tried + 1);
        else client.destroy();
      });
      upstream.once("connect", () => {
        connected = true;
        sockets.add(upstream);
        upstream.on("close", () => sockets.delete(upstream));
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
