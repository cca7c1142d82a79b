import DataLoader from "dataloader";
import { callJson } from "@app/shared";
import type { UserDirectory, UserLookup } from "../application/ports";

/** Auth takes at most this many ids per lookup call. */
const MAX_IDS_PER_CALL = 100;

/**
 * Users' email addresses from auth's internal lookup, with this service's token. The lookups a
 * claimed batch of deliveries starts together go to auth as one call (DataLoader gathers them);
 * nothing is cached, so every send reads the address the user has at that moment.
 */
export class AuthUserDirectory implements UserDirectory {
  private readonly loader: DataLoader<string, UserLookup>;

  constructor(
    private readonly authUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {
    this.loader = new DataLoader((ids) => this.lookUpAll(ids), {
      cache: false,
      maxBatchSize: MAX_IDS_PER_CALL,
    });
  }

  lookUp(userId: string): Promise<UserLookup> {
    return this.loader.load(userId);
  }

  // An Error in the answer fails that delivery's send alone (a retry), not the whole batch's.
  private async lookUpAll(ids: readonly string[]): Promise<(UserLookup | Error)[]> {
    const response = await callJson<{ users?: { id?: unknown; email?: unknown }[] }>(
      `${this.authUrl}/internal/v1/users/lookup`,
      {
        method: "POST",
        body: { ids: [...new Set(ids)] },
        headers: { authorization: `Bearer ${this.token}` },
        timeoutMs: this.timeoutMs,
      },
    );
    const users = response.body?.users; // a body that is not JSON (a proxy's error page) is null or text
    if (response.status !== 200 || !Array.isArray(users))
      throw new Error(`user lookup answered ${response.status}`);
    // UUIDs compare case-insensitively, as auth's lookup does.
    const emails = new Map<unknown, unknown>(
      users.map((user) => [String(user.id).toLowerCase(), user.email]),
    );
    return ids.map((id) => {
      const email = emails.get(id.toLowerCase());
      if (email === undefined) return { kind: "gone" };
      if (typeof email !== "string")
        return new Error("user lookup answered a user without an email");
      return { kind: "found", email };
    });
  }
}
