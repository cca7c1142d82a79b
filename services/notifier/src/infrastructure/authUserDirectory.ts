import { callJson } from "@app/shared";
import type { UserDirectory, UserLookup } from "../application/ports";

/** A user's email address from auth's internal lookup, with this service's token. */
export class AuthUserDirectory implements UserDirectory {
  constructor(
    private readonly authUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async lookUp(userId: string): Promise<UserLookup> {
    const response = await callJson<{ email?: string }>(
      `${this.authUrl}/internal/v1/users/${encodeURIComponent(userId)}`,
      { headers: { authorization: `Bearer ${this.token}` }, timeoutMs: this.timeoutMs },
    );
    if (response.status === 404) return { kind: "gone" };
    if (response.status !== 200 || typeof response.body.email !== "string")
      throw new Error(`user lookup answered ${response.status}`);
    return { kind: "found", email: response.body.email };
  }
}
