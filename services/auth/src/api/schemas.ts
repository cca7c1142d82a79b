import { humanText, z } from "@app/shared";
import { EMAIL_MAX_LENGTH } from "../domain/email";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../domain/password";

// Trimmed before the format check, so " Ann@Example.com " is accepted as the address it names.
const email = z.string().trim().pipe(z.email().max(EMAIL_MAX_LENGTH)).openapi({
  type: "string",
  format: "email",
  maxLength: EMAIL_MAX_LENGTH,
  example: "ann@example.com",
});

export const registerRequest = z
  .object({
    email,
    password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
    name: humanText().trim().min(1).max(100).nullish(),
  })
  .openapi("RegisterRequest");

export const loginRequest = z
  .object({
    email,
    // Only bounded here: the length policy applies when a password is chosen, not when it is tried.
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  })
  .openapi("LoginRequest");

export const refreshTokenRequest = z
  .object({ refreshToken: z.string().min(1).max(512) })
  .openapi("RefreshTokenRequest");

export const userResponse = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(["CUSTOMER", "ADMIN"]),
    createdAt: z.iso.datetime(),
  })
  .openapi("User");

export const tokenResponse = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("TokenPair");

export const jwksResponse = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal("RSA"),
        n: z.string(),
        e: z.string(),
        kid: z.string(),
        alg: z.literal("RS256"),
        use: z.literal("sig"),
      }),
    ),
  })
  .openapi("JsonWebKeySet");

export const userIdParams = z.object({ id: z.uuid() });

/** At most one claimed delivery batch's worth of users per call (the notifier claims 10 by default). */
export const USER_LOOKUP_MAX_IDS = 100;

export const userLookupRequest = z
  .object({ ids: z.array(z.uuid()).min(1).max(USER_LOOKUP_MAX_IDS) })
  .strict()
  .openapi("UserLookupRequest");

export const userLookupResponse = z
  .object({
    users: z
      .array(userResponse)
      .openapi({ description: "The users found; an unknown id is left out" }),
  })
  .openapi("UserLookupResponse");
