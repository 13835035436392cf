import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, keyringFrom } from "../../lib/crypto/secrets";

const key = () => randomBytes(32).toString("base64");

describe("credential encryption", () => {
  it("round-trips and never contains the plaintext", () => {
    const ring = keyringFrom(key());
    const sealed = encryptSecret("ghp_token_value", ring);
    expect(sealed).not.toContain("ghp_token_value");
    expect(decryptSecret(sealed, ring)).toBe("ghp_token_value");
    expect(encryptSecret("ghp_token_value", ring)).not.toBe(sealed); // fresh IV each time
  });

  it("detects tampering", () => {
    const ring = keyringFrom(key());
    const parts = encryptSecret("secret", ring).split(":");
    const body = Buffer.from(parts[4]!, "base64");
    body[0] = body[0]! ^ 1;
    parts[4] = body.toString("base64");
    expect(() => decryptSecret(parts.join(":"), ring)).toThrow();
  });

  it("decrypts values made with a previous key after rotation", () => {
    const oldKey = key();
    const sealed = encryptSecret("secret", keyringFrom(oldKey));
    const rotated = keyringFrom(key(), oldKey);
    expect(decryptSecret(sealed, rotated)).toBe("secret");
    expect(() => decryptSecret(sealed, keyringFrom(key()))).toThrow(/not configured/);
  });

  it("rejects a key of the wrong size with a fix in the message", () => {
    expect(() => keyringFrom(Buffer.from("short").toString("base64"))).toThrow(/32 bytes.*openssl rand -base64 32/);
  });
});
