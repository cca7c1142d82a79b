import { newId } from "@app/shared";
import jwt from "jsonwebtoken";
import type { AccessTokenIssuer } from "../application/ports";
import type { Role } from "../domain/user";
import type { SigningKeySet } from "./signingKeys";

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** RS256 access tokens carrying kid, iss, aud, sub, role, iat, exp and jti. */
export class JwtAccessTokenIssuer implements AccessTokenIssuer {
  constructor(
    private readonly keys: SigningKeySet,
    private readonly settings: AccessTokenSettings,
  ) {}

  issue(subject: { userId: string; role: Role }): { token: string; expiresInSeconds: number } {
    const token = jwt.sign({ role: subject.role }, this.keys.current.privateKey, {
      algorithm: "RS256",
      keyid: this.keys.current.kid,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      subject: subject.userId,
      jwtid: newId(),
      expiresIn: this.settings.ttlSeconds,
    });
    return { token, expiresInSeconds: this.settings.ttlSeconds };
  }
}
