import { readFileSync } from "node:fs";
import type { SecureContextOptions } from "node:tls";

/** A DATABASE_URL the driver cannot honour: named, at start-up, instead of silently dropped. */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

/** TLS settings as the mariadb driver takes them (`ssl`). */
export type DriverTls = SecureContextOptions & {
  rejectUnauthorized: boolean;
  checkServerIdentity?: () => undefined;
};

/** What the query string of DATABASE_URL sets on the driver, for the raw pool and Prisma alike. */
export interface DatabaseUrlOptions {
  ssl?: DriverTls;
  allowPublicKeyRetrieval?: boolean;
  cachingRsaPublicKey?: string;
  connectTimeout?: number;
  connectionLimit?: number;
  acquireTimeout?: number;
}

type SslMode = "disabled" | "required" | "verify_ca" | "verify_identity";

// MySQL's client spelling (--ssl-mode) and libpq's, which users bring from other stacks.
const SSL_MODES: Record<string, SslMode> = {
  disabled: "disabled",
  disable: "disabled",
  required: "required",
  require: "required",
  verify_ca: "verify_ca",
  "verify-ca": "verify_ca",
  verify_identity: "verify_identity",
  "verify-full": "verify_identity",
};

export const DATABASE_URL_PARAMETERS = [
  "ssl",
  "sslmode",
  "sslca",
  "allowPublicKeyRetrieval",
  "cachingRsaPublicKey",
  "connectTimeout",
  "connectionLimit",
  "acquireTimeout",
] as const;

/**
 * Reads the query string of a DATABASE_URL. `ssl=true` means verify_identity; `sslca` is a PEM
 * file path or the PEM itself (URL-encoded); `cachingRsaPublicKey` a PEM file path or the key.
 */
export function parseDatabaseUrlOptions(params: URLSearchParams): DatabaseUrlOptions {
  const known = new Set<string>(DATABASE_URL_PARAMETERS);
  const unknown = [...new Set(params.keys())].filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new DatabaseUrlError(
      `DATABASE_URL has unknown parameters: ${unknown.join(", ")} (known: ${DATABASE_URL_PARAMETERS.join(", ")})`,
    );
  }
  const options: DatabaseUrlOptions = {};
  const mode = sslModeOf(params);
  if (params.has("sslca") && (mode === "disabled" || mode === undefined))
    throw new DatabaseUrlError(
      "DATABASE_URL sets sslca without ssl=true or an sslmode that uses TLS",
    );
  const ca = params.has("sslca") ? pem("sslca", params.get("sslca")!) : undefined;
  if (mode && mode !== "disabled") options.ssl = tlsFor(mode, ca);
  const publicKeyRetrieval = params.get("allowPublicKeyRetrieval");
  if (publicKeyRetrieval !== null)
    options.allowPublicKeyRetrieval = bool("allowPublicKeyRetrieval", publicKeyRetrieval);
  const rsaKey = params.get("cachingRsaPublicKey");
  if (rsaKey !== null) options.cachingRsaPublicKey = pem("cachingRsaPublicKey", rsaKey);
  for (const name of ["connectTimeout", "connectionLimit", "acquireTimeout"] as const) {
    const value = params.get(name);
    if (value !== null) options[name] = positiveInt(name, value);
  }
  return options;
}

function sslModeOf(params: URLSearchParams): SslMode | undefined {
  const ssl = params.get("ssl");
  const sslmode = params.get("sslmode");
  if (ssl !== null && sslmode !== null)
    throw new DatabaseUrlError("DATABASE_URL sets both ssl and sslmode: use one");
  if (ssl !== null) return bool("ssl", ssl) ? "verify_identity" : "disabled";
  if (sslmode === null) return undefined;
  const mode = SSL_MODES[sslmode.toLowerCase()];
  if (!mode) {
    throw new DatabaseUrlError(
      `DATABASE_URL sslmode=${sslmode} is not one of ${Object.keys(SSL_MODES).join(", ")}`,
    );
  }
  return mode;
}

function tlsFor(mode: Exclude<SslMode, "disabled">, ca: string | undefined): DriverTls {
  if (mode === "required") return { rejectUnauthorized: false };
  const tls: DriverTls = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  // verify_ca: the chain must lead to the CA, the host name need not match (RDS proxies, IPs).
  if (mode === "verify_ca") tls.checkServerIdentity = () => undefined;
  return tls;
}

function bool(name: string, value: string): boolean {
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new DatabaseUrlError(`DATABASE_URL ${name}=${value} must be true or false`);
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new DatabaseUrlError(`DATABASE_URL ${name}=${value} must be a positive integer`);
  return n;
}

/** A PEM given inline, or read from the file the value names. */
function pem(name: string, value: string): string {
  if (value.includes("-----BEGIN")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new DatabaseUrlError(
      `DATABASE_URL ${name}: cannot read ${value} (${(error as Error).message})`,
    );
  }
}
