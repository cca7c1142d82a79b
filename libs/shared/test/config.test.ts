import { z } from "zod";
import { ConfigError, env, httpServiceEnv, loadConfig } from "../src";

const schema = z.object({
  PORT: env.port(3000),
  DATABASE_URL: env.url(),
  KAFKA_BROKERS: env.list(),
  FEATURE_ON: env.bool(false),
});

describe("loadConfig", () => {
  test("returns typed values with defaults applied", () => {
    const config = loadConfig(schema, {
      DATABASE_URL: "mysql://root@localhost:3306/x",
      KAFKA_BROKERS: "a:1, b:2",
    });
    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: "mysql://root@localhost:3306/x",
      KAFKA_BROKERS: ["a:1", "b:2"],
      FEATURE_ON: false,
    });
  });

  test("names every bad or missing variable in one message", () => {
    let caught: unknown;
    try {
      loadConfig(schema, { PORT: "not-a-port", FEATURE_ON: "maybe" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.issues.map((i) => i.variable).sort()).toEqual([
      "DATABASE_URL",
      "FEATURE_ON",
      "KAFKA_BROKERS",
      "PORT",
    ]);
    expect(error.message).toMatch(/^Invalid configuration: /);
    for (const name of ["PORT", "DATABASE_URL", "KAFKA_BROKERS", "FEATURE_ON"])
      expect(error.message).toContain(name);
  });
});

describe("an HTTP service's listen address (HOST)", () => {
  const http = z.object(httpServiceEnv(3000));

  test("is every interface unless set, as a container needs; any IPv4 or IPv6 address may be set", () => {
    expect(loadConfig(http, {}).HOST).toBe("0.0.0.0");
    for (const host of ["127.0.0.1", "::", "::1", "10.1.2.3"])
      expect(loadConfig(http, { HOST: host }).HOST).toBe(host);
  });

  test("refuses what is not an IP address, naming HOST", () => {
    for (const host of ["localhost", "0.0.0.0:3000", "", "http://127.0.0.1"]) {
      expect(() => loadConfig(http, { HOST: host })).toThrow(ConfigError);
      expect(() => loadConfig(http, { HOST: host })).toThrow(/HOST/);
    }
  });
});

describe("documented development secrets", () => {
  const secrets = z.object({
    NODE_ENV: env.nodeEnv(),
    INTERNAL_TOKENS: env.list("local-internal-token"),
    ADMIN_PASSWORD: z.string().optional(),
    KEY_FILE: z.string().optional(),
  });

  test("production refuses each one, defaults included, naming every variable in one error", () => {
    let caught: unknown;
    try {
      loadConfig(secrets, {
        NODE_ENV: "production",
        ADMIN_PASSWORD: "change-me-admin-1",
        KEY_FILE: "/srv/app/.local/keys/auth-signing-key.pem",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
      "ADMIN_PASSWORD",
      "INTERNAL_TOKENS",
      "KEY_FILE",
    ]);
  });

  // The chart's dev values published an internal token and a database password that
  // production took without a word.
  test("production refuses the chart's dev credentials and a database URL with a published password", () => {
    const withUrl = secrets.extend({ DATABASE_URL: z.string() });
    let caught: unknown;
    try {
      loadConfig(withUrl, {
        NODE_ENV: "production",
        INTERNAL_TOKENS: "dev-internal-token",
        DATABASE_URL: "mysql://app:dev-password@mysql:3306/auth",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
      "DATABASE_URL",
      "INTERNAL_TOKENS",
    ]);
    expect(
      loadConfig(withUrl, {
        NODE_ENV: "production",
        INTERNAL_TOKENS: "s3cr3t-from-vault",
        DATABASE_URL: "mysql://app:s3cr3t@mysql:3306/auth",
      }),
    ).toMatchObject({ DATABASE_URL: "mysql://app:s3cr3t@mysql:3306/auth" });
  });

  test("production with its own secrets starts; development keeps the documented ones", () => {
    expect(
      loadConfig(secrets, { NODE_ENV: "production", INTERNAL_TOKENS: "s3cr3t-from-vault" }),
    ).toMatchObject({ INTERNAL_TOKENS: ["s3cr3t-from-vault"] });
    expect(loadConfig(secrets, { ADMIN_PASSWORD: "change-me-admin-1" })).toMatchObject({
      INTERNAL_TOKENS: ["local-internal-token"],
      ADMIN_PASSWORD: "change-me-admin-1",
    });
  });
});

describe("TRUST_PROXY", () => {
  const trust = z.object({ TRUST_PROXY: env.trustProxy("loopback") });
  test.each([
    [undefined, "loopback"],
    ["false", false],
    ["1", 1],
    ["10.0.0.0/8, loopback", "10.0.0.0/8, loopback"],
  ])("%s parses to %p", (value, expected) => {
    expect(loadConfig(trust, { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });
});
