export type Role = "CUSTOMER" | "ADMIN";

/** What the API shows of a user; never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: Date;
}

export interface User extends PublicUser {
  emailNormalized: string;
  passwordHash: string;
}

export function toPublicUser(user: PublicUser): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt,
  };
}
