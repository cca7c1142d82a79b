import { PassThrough } from "node:stream";
import { createLogger, runWithContext } from "../src";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (c: Buffer) =>
    c
      .toString()
      .split("\n")
      .filter(Boolean)
      .forEach((l) => lines.push(JSON.parse(l))),
  );
  return { logger: createLogger({ service: "svc", stream }), lines };
}

describe("logger", () => {
  test("writes one JSON object per line with timestamp, level, service, requestId and msg", async () => {
    const { logger, lines } = capture();
    runWithContext({ requestId: "r-1", caller: { kind: "anonymous" } }, () =>
      logger.info("order placed", { orderId: "o-1", items: 2 }),
    );
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      service: "svc",
      requestId: "r-1",
      msg: "order placed",
      orderId: "o-1",
      items: 2,
    });
    expect(new Date(lines[0]!.timestamp as string).toISOString()).toBe(lines[0]!.timestamp);
  });

  test("redacts passwords, tokens and authorization at any depth", async () => {
    const { logger, lines } = capture();
    logger.info("login", {
      password: "hunter2",
      body: { email: "a@b.c", password: "hunter2", refreshToken: "rt-secret" },
      headers: { authorization: "Bearer abc.def.ghi", accept: "json" },
      accessToken: "at-secret",
    });
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines[0]);
    for (const secret of ["hunter2", "rt-secret", "abc.def.ghi", "at-secret"])
      expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      password: "[REDACTED]",
      body: { email: "a@b.c", password: "[REDACTED]" },
      headers: { accept: "json", authorization: "[REDACTED]" },
    });
  });
});
