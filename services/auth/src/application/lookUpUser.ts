import { toPublicUser, type PublicUser } from "../domain/user";
import type { UserRepository } from "./ports";

export type UserLookupOutcome =
  { ok: true; user: PublicUser } | { ok: false; error: "USER_NOT_FOUND" };

/** A user by id, for another service (the notifier needs a customer's email address). */
export async function lookUpUser(
  deps: { users: UserRepository },
  userId: string,
): Promise<UserLookupOutcome> {
  const user = await deps.users.findById(userId);
  return user ? { ok: true, user: toPublicUser(user) } : { ok: false, error: "USER_NOT_FOUND" };
}
