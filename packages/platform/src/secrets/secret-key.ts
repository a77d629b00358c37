import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { InputError, UnprocessableError } from "@quanta/core";

/** The variable holding the key every replica encrypts secrets with. */
export const secretsKeyVariable = "QUANTA_SECRETS_KEY";
/** The file an embedded platform keeps its generated key in, inside its data directory. */
export const secretsKeyFile = "secrets.key";

const keyBytes = 32;
const ivBytes = 12;
const tagBytes = 16;
/** Stored ciphertexts start with their format, so a later format (another cipher, a key id) can sit beside this one. */
const format = "v1:";
const keyHint = `32 random bytes as 64 hex digits or 44 base64 characters (e.g. \`openssl rand -base64 32\`)`;

/**
 * 32 bytes from base64 (standard or URL-safe, padding optional) or hex. Never echoes the text: a
 * mistyped key is still most of a key.
 */
export function parseSecretsKey(text: string, where: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === keyBytes) return key;
  }
  throw new InputError(`${where} must be ${keyHint}; it holds ${t.length} characters that are neither`, {
    code: "bad-secrets-key",
  });
}

/** Where the key comes from, which decides what storing a secret without one means. */
export type SecretKeySource =
  /** `QUANTA_SECRETS_KEY`: the same on every replica. */
  | { kind: "variable"; key: Buffer }
  /** An embedded platform's `<dataDir>/secrets.key`, created when the first secret is stored. */
  | { kind: "file"; path: string }
  /** An in-memory store: a key that lives exactly as long as the store. */
  | { kind: "ephemeral" }
  /** PostgreSQL without `QUANTA_SECRETS_KEY`: replicas would each make their own, so none is made. */
  | { kind: "none" };

/**
 * AES-256-GCM with a random 96-bit IV per value; the environment and name are the associated
 * data, so a ciphertext copied onto another row does not decrypt. Stored as
 * `v1:` + base64(iv ‖ ciphertext ‖ tag).
 */
export class SecretKey {
  private key: Buffer | undefined;

  constructor(private readonly source: SecretKeySource) {
    if (source.kind === "variable") this.key = source.key;
    if (source.kind === "ephemeral") this.key = randomBytes(keyBytes);
    if (source.kind === "file") this.key = readKeyFile(source.path);
  }

  /** Why a stored value does not open, naming the secret (never the key, never the value). */
  cannotOpen(environment: string, name: string): UnprocessableError {
    return new UnprocessableError(
      `secret ${name} of environment ${environment} cannot be decrypted: ${this.why()}; set ${secretsKeyVariable} to the key it was stored with, or set the secret again`,
      { code: "secret-undecryptable", details: { environment, name } },
    );
  }

  private why(): string {
    switch (this.source.kind) {
      case "variable":
        return `${secretsKeyVariable} is not the key it was stored with (was it changed, or do the replicas have different ones?)`;
      case "file":
        return this.key
          ? `the key in ${this.source.path} is not the one it was stored with (was the file replaced?)`
          : `${this.source.path} is missing and ${secretsKeyVariable} is not set`;
      case "ephemeral":
        return "it was stored with another key";
      case "none":
        return `${secretsKeyVariable} is not set`;
    }
  }

  encrypt(aad: string, value: string): string {
    const key = this.forWriting();
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(aad, "utf8"));
    const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return format + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
  }

  /** The value, or `undefined` when this key cannot open it (another key, or none). */
  decrypt(aad: string, stored: string): string | undefined {
    if (!this.key || !stored.startsWith(format)) return undefined;
    const raw = Buffer.from(stored.slice(format.length), "base64");
    if (raw.length < ivBytes + tagBytes) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, ivBytes));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(raw.subarray(raw.length - tagBytes));
      return Buffer.concat([decipher.update(raw.subarray(ivBytes, raw.length - tagBytes)), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      return undefined;
    }
  }

  private forWriting(): Buffer {
    if (this.key) return this.key;
    if (this.source.kind === "file") {
      this.key = createKeyFile(this.source.path);
      return this.key;
    }
    throw new UnprocessableError(
      `this platform keeps its metadata in PostgreSQL and has no ${secretsKeyVariable}, so it cannot store secrets: set the same ${secretsKeyVariable} (${keyHint}) on every replica and restart them`,
      { code: "no-secrets-key" },
    );
  }
}

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return parseSecretsKey(text, path);
}

/** A new key in `path` (0600); when another process made one first, that one. */
function createKeyFile(path: string): Buffer {
  const key = randomBytes(keyBytes);
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    return readKeyFile(path) as Buffer;
  }
}
