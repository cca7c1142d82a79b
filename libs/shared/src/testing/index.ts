import { generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { runMigrations } from "../migrations";
import type { Role } from "../auth";

export {
  createTestDatabase,
  dropDatabase,
  testServers,
  uniqueName,
  type TestDatabase,
  type TestServers,
} from "./servers";
export { scratchDatabase } from "./scratchDatabase";
export { waitFor } from "./waitFor";
export { waitForLockWaits } from "./lockWaits";

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  publicKeyPem: string;
  /** JWKS_URL, JWT_ISSUER and JWT_AUDIENCE: a service's settings for accepting these tokens. */
  verifierEnv: { JWKS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string };
  tokenFor(user: { userId?: string; role?: Role }, options?: { expiresInSeconds?: number }): string;
  /** Replaces the signing key (and the published set) with a new one; returns the new kid. */
  rotateKey(): string;
  /** How many times the JWKS has been fetched. */
  jwksFetches(): number;
  close(): Promise<void>;
}

/**
 * A real RS256 issuer serving its JWKS over HTTP, for services whose tests need signed-in
 * callers without running the auth service.
 */
export async function startTestIssuer(): Promise<TestIssuer> {
  const newKey = () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
    return { privateKey, publicKey, kid, jwk };
  };
  const first = newKey();
  let current = first;
  let fetches = 0;
  const server = http.createServer((_req, res) => {
    fetches += 1;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [current.jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = "test-issuer";
  const audience = "product-ordering";
  const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  return {
    issuer,
    audience,
    jwksUrl,
    verifierEnv: { JWKS_URL: jwksUrl, JWT_ISSUER: issuer, JWT_AUDIENCE: audience },
    publicKeyPem: first.publicKey.export({ format: "pem", type: "spki" }).toString(),
    tokenFor(user, options = {}) {
      return jwt.sign({ role: user.role ?? "CUSTOMER" }, current.privateKey, {
        algorithm: "RS256",
        keyid: current.kid,
        issuer,
        audience,
        subject: user.userId ?? randomUUID(),
        jwtid: randomUUID(),
        expiresIn: options.expiresInSeconds ?? 900,
      });
    },
    rotateKey() {
      current = newKey();
      return current.kid;
    },
    jwksFetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { runMigrations };
export { call, type HttpResult } from "./http";
export { parsePrismaSchema, readPrismaSchema, type PrismaModel } from "./prismaSchema";
export { migratedSchemaDifferences, schemaDifferences } from "./schemaDifferences";
export { metricValue } from "./metrics";
export { startTcpProxy, type TcpProxy } from "./tcpProxy";
export { anOrderEvent } from "./orderEvents";
export { problemViolations, testProblemBodies } from "./problems";
export { expectProductionRefusal, startupExit } from "./startup";
export { holdAt, runStoppingProcess } from "./stoppingProcess";
export { createProduct, type CreatedProduct, type ProductOverrides } from "./catalogProducts";
export { startMailSink, type MailSink, type ReceivedMail } from "./mailSink";
export { freePort } from "./freePort";
export { aPrivateKafka, type PrivateKafka, type PrivateKafkaOptions } from "./privateKafka";
