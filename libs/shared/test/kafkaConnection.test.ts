import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { ConfigError, kafkaConnectionEnv, kafkaSecurity, loadConfig } from "../src";

const parse = (env: Record<string, string>) =>
  kafkaSecurity(loadConfig(z.object(kafkaConnectionEnv), env));

describe("Kafka TLS and SASL settings from the environment", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-tls-"));
  const ca = path.join(dir, "ca.pem");
  fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("plaintext without any variable, and topics created by default", () => {
    expect(parse({})).toEqual({});
    expect(loadConfig(z.object(kafkaConnectionEnv), {}).KAFKA_CREATE_TOPICS).toBe(true);
    expect(
      loadConfig(z.object(kafkaConnectionEnv), { KAFKA_CREATE_TOPICS: "false" })
        .KAFKA_CREATE_TOPICS,
    ).toBe(false);
  });

  test.each(["plain", "scram-sha-256", "scram-sha-512"])(
    "SASL %s over TLS with the system's CAs",
    (mechanism) => {
      expect(
        parse({
          KAFKA_SSL: "true",
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: "relay",
          KAFKA_SASL_PASSWORD: "s3cret",
        }),
      ).toEqual({ ssl: true, sasl: { mechanism, username: "relay", password: "s3cret" } });
    },
  );

  test("TLS with a private CA read from a file", () => {
    expect(parse({ KAFKA_SSL: "true", KAFKA_SSL_CA_FILE: ca })).toEqual({
      ssl: { ca: fs.readFileSync(ca, "utf8"), rejectUnauthorized: true },
    });
  });

  test("refuses an unknown mechanism, SASL without credentials, an unreadable file and a certificate without its key", () => {
    expect(() => parse({ KAFKA_SASL_MECHANISM: "gssapi" })).toThrow(/KAFKA_SASL_MECHANISM/);
    expect(() => parse({ KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u" })).toThrow(
      /KAFKA_SASL_PASSWORD/,
    );
    expect(() => parse({ KAFKA_SSL_CA_FILE: path.join(dir, "missing.pem") })).toThrow(ConfigError);
    expect(() => parse({ KAFKA_SSL_CERT_FILE: ca })).toThrow(/KAFKA_SSL_CERT_FILE/);
  });
});
