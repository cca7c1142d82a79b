import { toPublicUser, type PublicUser } from "../domain/user";
import type { UserRepository } from "./ports";

export type UserLookupOutcome = { kind: "found"; user: PublicUser } | { kind: "not_found" };

/** A user by id: the signed-in caller's own account, or a customer the notifier writes to. */
export async function lookUpUser(
  deps: { users: UserRepository },
  userId: string,
): Promise<UserLookupOutcome> {
  const user = await deps.users.findById(userId);
  return user ? { kind: "found", user: toPublicUser(user) } : { kind: "not_found" };
}

/** Several users by id at once (the notifier's claimed batch); an id no user has is left out. */
export async function lookUpUsers(
  deps: { users: UserRepository },
  userIds: string[],
): Promise<PublicUser[]> {
  // `IN` yields each user once however often the id is asked for.
  return (await deps.users.findByIds(userIds)).map(toPublicUser);
}
