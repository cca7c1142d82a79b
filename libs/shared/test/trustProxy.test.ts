import request from "supertest";
import { buildTestApp } from "./testApp";

// The client address a service acts on (throttles, logs) is the one its trusted proxy saw: a
// client's own X-Forwarded-For names nobody unless TRUST_PROXY trusts the hop it came through.
function appTrusting(trustProxy: boolean | number | string) {
  return buildTestApp(
    (a) => {
      a.get("/whoami", (req, res) => {
        res.json({ ip: req.ip });
      });
    },
    [],
    trustProxy,
  ).app;
}

const ipSeenBy = async (trustProxy: boolean | number | string, forwardedFor: string) =>
  (await request(appTrusting(trustProxy)).get("/whoami").set("X-Forwarded-For", forwardedFor)).body
    .ip as string;

describe("TRUST_PROXY", () => {
  test("false: a forged X-Forwarded-For is ignored, the socket address is the client", async () => {
    expect(await ipSeenBy(false, "203.0.113.9")).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
  });

  test("one hop: only the address the gateway appended counts, not what the client sent before it", async () => {
    expect(await ipSeenBy(1, "203.0.113.9, 198.51.100.7")).toBe("198.51.100.7");
  });

  test("a trusted address list: a peer outside it cannot name the client", async () => {
    expect(await ipSeenBy("10.0.0.0/8", "203.0.113.9")).toMatch(/127\.0\.0\.1|::1/);
    expect(await ipSeenBy("loopback", "203.0.113.9")).toBe("203.0.113.9");
  });
});
