import { createTokenVerifier, InvalidTokenError, type TokenVerifier } from "@app/shared";
import jwt from "jsonwebtoken";
import type { SigningKeySet } from "./signingKeys";

/**
 * The service verifies its own tokens with the shared verifier, one per published key, chosen by
 * `kid`: the same rules every other service applies, without an HTTP call to itself.
 */
export function keySetTokenVerifier(
  keys: SigningKeySet,
  claims: { issuer: string; audience: string },
): TokenVerifier {
  const byKid = new Map(
    keys.verificationKeys.map((k) => [
      k.kid,
      createTokenVerifier({
        ...claims,
        algorithm: "RS256",
        publicKeyPem: k.publicKey.export({ format: "pem", type: "spki" }).toString(),
      }),
    ]),
  );
  return {
    verify(token) {
      const kid = jwt.decode(token, { complete: true })?.header.kid;
      const verifier = kid === undefined ? undefined : byKid.get(kid);
      return verifier
        ? verifier.verify(token)
        : Promise.reject(new InvalidTokenError("unknown kid"));
    },
  };
}
