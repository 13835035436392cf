// Encrypts credentials at rest with AES-256-GCM. Ciphertexts name the key they were
// made with, so keys can be rotated (old keys listed in TIDELINE_PREVIOUS_SECRET_KEYS).
import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";

export interface Keyring {
  current: Buffer;
  previous: Buffer[];
}

export function parseKey(base64: string, name = "TIDELINE_SECRET_KEY"): Buffer {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32) {
    throw new Error(`${name} must be 32 bytes encoded as base64 (got ${key.length} bytes); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export function keyringFrom(current: string, previous?: string): Keyring {
  return {
    current: parseKey(current),
    previous: (previous ?? "")
      .split(",")
      .filter(Boolean)
      .map((k) => parseKey(k, "TIDELINE_PREVIOUS_SECRET_KEYS")),
  };
}

/** A short, non-secret fingerprint identifying which key encrypted a value. */
export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export function encryptSecret(plaintext: string, keyring: Keyring): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId(keyring.current), iv.toString("base64"), tag.toString("base64"), body.toString("base64")].join(":");
}

export function decryptSecret(sealed: string, keyring: Keyring): string {
  const [version, id, iv, tag, body] = sealed.split(":");
  if (version !== VERSION || !id || !iv || !tag || body === undefined) throw new Error("Stored secret has an unknown format");
  const key = [keyring.current, ...keyring.previous].find((k) => keyId(k) === id);
  if (!key) throw new Error(`Stored secret was encrypted with key ${id}, which is not configured (set it in TIDELINE_PREVIOUS_SECRET_KEYS)`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}
