import { toPublicUser, type PublicUser } from "../domain/user";
import type { UserRepository } from "./ports";

export type CurrentUserOutcome = { ok: true; user: PublicUser } | { ok: false; error: "USER_GONE" };

export async function getCurrentUser(
  deps: { users: UserRepository },
  userId: string,
): Promise<CurrentUserOutcome> {
  const user = await deps.users.findById(userId);
  return user ? { ok: true, user: toPublicUser(user) } : { ok: false, error: "USER_GONE" };
}
