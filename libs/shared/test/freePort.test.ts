import { readFileSync } from "node:fs";
import net from "node:net";
import { freePort } from "../src/testing";

// Linux's range; where it cannot be read (macOS), the lowest start of any default range.
function ephemeralStart(): number {
  try {
    return Number(
      readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
    );
  } catch {
    return 32_768;
  }
}

describe("freePort", () => {
  it("gives ports below the kernel's ephemeral range, where no outgoing connection takes them, that a server can listen on", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart());
    }
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], resolve));
    expect((server.address() as net.AddressInfo).port).toBe(ports[0]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
