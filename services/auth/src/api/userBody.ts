import type { PublicUser } from "../domain/user";

/** A user as every route answers it (the `User` schema): the public fields, dates as ISO text. */
export const userBody = (user: PublicUser) => ({
  ...user,
  createdAt: user.createdAt.toISOString(),
});
