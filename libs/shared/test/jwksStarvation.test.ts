import { generateKeyPairSync, randomUUID } from "node:crypto";
import jwt from "jsonwebtoken";
import { createTokenVerifier, type TokenVerifier } from "../src";
import { startTestIssuer, waitFor, type TestIssuer } from "../src/testing";

describe("JWKS key set under a flood of made-up kids", () => {
  let issuer: TestIssuer;
  const verifiers: TokenVerifier[] = [];
  let fetchErrors: unknown[] = [];
  const { privateKey: strangerKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  beforeEach(async () => {
    issuer = await startTestIssuer();
    fetchErrors = [];
  });
  afterEach(async () => {
    verifiers.splice(0).forEach((v) => v.close?.());
    await issuer.close();
  });

  function verifierWith(jwksRefreshIntervalMs: number) {
    const verifier = createTokenVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
      algorithm: "RS256",
      jwksRefreshIntervalMs,
      onKeySetError: (error) => fetchErrors.push(error),
    });
    verifiers.push(verifier);
    return verifier;
  }

  /** A token whose kid nobody published; its signature does not matter to the lookup. */
  const randomKidToken = () =>
    jwt.sign({ role: "ADMIN" }, strangerKey, {
      algorithm: "RS256",
      keyid: randomUUID(),
      issuer: issuer.issuer,
      audience: issuer.audience,
      subject: randomUUID(),
      jwtid: randomUUID(),
    });

  async function flood(verifier: TokenVerifier, client: string, count: number) {
    const results = await Promise.allSettled(
      Array.from({ length: count }, () => verifier.verify(randomKidToken(), client)),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
  }

  test("one client's random kids cause at most its own budget of JWKS fetches", async () => {
    const verifier = verifierWith(60_000);
    await expect(verifier.verify(issuer.tokenFor({}), "customer")).resolves.toBeDefined();
    const before = issuer.jwksFetches();

    await flood(verifier, "attacker", 200);

    expect(issuer.jwksFetches() - before).toBeLessThanOrEqual(5);
  });

  test("after a flood, a rotated key is accepted at once from a client with budget left", async () => {
    const verifier = verifierWith(60_000);
    await expect(verifier.verify(issuer.tokenFor({}), "customer")).resolves.toBeDefined();
    await flood(verifier, "attacker", 200);

    issuer.rotateKey();
    const userId = randomUUID();

    await expect(verifier.verify(issuer.tokenFor({ userId }), "customer")).resolves.toMatchObject({
      userId,
    });
    expect(fetchErrors).toEqual([]);
  });

  test("after a flood, a rotated key is accepted from the flooding client once the set is refreshed on the timer", async () => {
    const verifier = verifierWith(500);
    await expect(verifier.verify(issuer.tokenFor({}), "attacker")).resolves.toBeDefined();
    await flood(verifier, "attacker", 200);

    issuer.rotateKey();
    const token = issuer.tokenFor({ role: "ADMIN" });
    // The attacker's own lookups are used up; only the periodic refresh can bring the new key.
    await expect(verifier.verify(token, "attacker")).rejects.toThrow(/signing key/);
    const fetchesAtRotation = issuer.jwksFetches();

    // Polling costs the attacker nothing more: its lookups are used up, so only the timer fetches.
    const principal = await waitFor(() => verifier.verify(token, "attacker").catch(() => false), {
      timeoutMs: 15_000,
      what: "the rotated key accepted after a periodic refresh",
    });
    expect(principal).toMatchObject({ role: "ADMIN" });
    expect(issuer.jwksFetches()).toBeGreaterThan(fetchesAtRotation);
  });
});
