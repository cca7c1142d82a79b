import { z } from "zod";
import { ConfigError, env, loadConfig } from "../src";

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
