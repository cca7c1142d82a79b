import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import path from "node:path";

export interface PublicJwk {
  kty: "RSA";
  n: string;
  e: string;
  kid: string;
  alg: "RS256";
  use: "sig";
}

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface SigningKeySet {
  /** Signs every new token. */
  current: VerificationKey & { privateKey: KeyObject };
  /** The current key first, then the one being rotated out (if any). */
  verificationKeys: VerificationKey[];
}

export interface SigningKeySources {
  privateKeyPem?: string;
  privateKeyFile?: string;
  keyId?: string;
  previousPublicKeyPem?: string;
  previousPublicKeyFile?: string;
  previousKeyId?: string;
  /** Only when no private key is configured: where a generated local key pair lives. */
  localKeysDir?: string;
}

export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

const MIN_RSA_BITS = 2048;
const LOCAL_KEY_FILE = "auth-signing-key.pem";

// Secret stores and .env files often flatten a PEM onto one line with literal "\n".
const unflatten = (pem: string) => pem.replace(/\\n/g, "\n");

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function rsaThumbprint(jwk: { e: string; n: string }): string {
  return createHash("sha256")
    .update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n }))
    .digest("base64url");
}

function verificationKey(publicKey: KeyObject, keyId: string | undefined): VerificationKey {
  if (publicKey.asymmetricKeyType !== "rsa")
    throw new SigningKeyError(`RS256 needs an RSA key, got ${publicKey.asymmetricKeyType}`);
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new SigningKeyError(`RSA key of ${bits} bits is too short (minimum ${MIN_RSA_BITS})`);
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const kid = keyId ?? rsaThumbprint({ n, e });
  return { kid, publicKey, jwk: { kty: "RSA", n, e, kid, alg: "RS256", use: "sig" } };
}

async function readPem(
  inline: string | undefined,
  file: string | undefined,
): Promise<string | undefined> {
  if (inline) return unflatten(inline);
  if (file) return readFile(file, "utf8");
  return undefined;
}

/**
 * A local run without a configured key generates one pair once and reuses it on later starts,
 * so tokens survive restarts. Written to a temporary file and hard-linked into place: of two
 * processes starting together, one key wins and neither reads a half-written file.
 */
export async function loadOrCreateLocalKey(dir: string): Promise<string> {
  const file = path.join(dir, LOCAL_KEY_FILE);
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: MIN_RSA_BITS });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, privateKey.export({ format: "pem", type: "pkcs8" }).toString(), {
    mode: 0o600,
  });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(temp);
  }
  return readFile(file, "utf8");
}

export async function loadSigningKeys(sources: SigningKeySources): Promise<SigningKeySet> {
  let privatePem = await readPem(sources.privateKeyPem, sources.privateKeyFile);
  if (!privatePem) {
    if (!sources.localKeysDir) throw new SigningKeyError("no signing key configured");
    privatePem = await loadOrCreateLocalKey(sources.localKeysDir);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
  } catch (error) {
    throw new SigningKeyError(
      `the signing key is not a readable private key: ${(error as Error).message}`,
    );
  }
  const current = { ...verificationKey(createPublicKey(privateKey), sources.keyId), privateKey };
  const verificationKeys: VerificationKey[] = [current];

  const previousPem = await readPem(sources.previousPublicKeyPem, sources.previousPublicKeyFile);
  if (previousPem) {
    const previous = verificationKey(createPublicKey(previousPem), sources.previousKeyId);
    if (previous.kid === current.kid)
      throw new SigningKeyError("the previous key has the same kid as the current key");
    verificationKeys.push(previous);
  }
  return { current, verificationKeys };
}

/** The JSON Web Key Set other services verify with. */
export function jwksOf(keys: SigningKeySet): { keys: PublicJwk[] } {
  return { keys: keys.verificationKeys.map((k) => k.jwk) };
}
