import { readFileSync } from "node:fs";
import net from "node:net";

// Where the kernel takes the local ports of outgoing connections (Linux; 32768 is its default
// and lies below macOS's 49152).
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 2_000 ? port : 32_768;
  } catch {
    return 32_768;
  }
}

const LOWEST = 10_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    // No host: the dual-stack address every service listens on, so a taken IPv4 port shows too.
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port nobody listens on now, below the ephemeral range. A port from that range (what
 * listen(0) hands out) can become the local end of any outgoing connection before the server
 * meant to have it starts: a chaos run lost a replica that way (EADDRINUSE at its start).
 */
export async function freePort(): Promise<number> {
  const highest = ephemeralRangeStart() - 1;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${highest} after 100 tries`);
}
