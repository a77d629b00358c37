import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { openSecretStore } from "./open-secret-store.js";
import { parseSecretsKey, SecretKey } from "./secret-key.js";

describe("QUANTA_SECRETS_KEY", () => {
  const key = randomBytes(32);

  it("is 32 bytes in hex, base64 or base64url (padding optional)", () => {
    for (const text of [
      key.toString("hex"),
      key.toString("hex").toUpperCase(),
      key.toString("base64"),
      key.toString("base64").replace(/=$/, ""),
      key.toString("base64url"),
      ` ${key.toString("base64")}\n`,
    ])
      expect(parseSecretsKey(text, "QUANTA_SECRETS_KEY").equals(key)).toBe(true);
  });

  it("refuses anything else at start-up without echoing it", () => {
    const malformed = [
      "",
      "short",
      randomBytes(16).toString("base64"),
      randomBytes(33).toString("hex"),
      "z".repeat(64),
    ];
    for (const text of malformed) {
      let error: unknown;
      try {
        openSecretStore({ driver: "pglite" } as Database, { env: { QUANTA_SECRETS_KEY: text } });
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(
        /^QUANTA_SECRETS_KEY must be 32 random bytes as 64 hex digits or 44 base64 characters \(e\.g\. `openssl rand -base64 32`\); it holds \d+ characters that are neither$/,
      );
      if (text.length > 3) expect((error as Error).message).not.toContain(text);
    }
  });

  it("encrypts with AES-256-GCM: a fresh IV each time, bound to its associated data", () => {
    const k = new SecretKey({ kind: "variable", key });
    const a = k.encrypt("prod\u0000X", "value");
    expect(a).not.toBe(k.encrypt("prod\u0000X", "value"));
    expect(k.decrypt("prod\u0000X", a)).toBe("value");
    expect(k.decrypt("dev\u0000X", a)).toBeUndefined();
    expect(new SecretKey({ kind: "variable", key: randomBytes(32) }).decrypt("prod\u0000X", a)).toBeUndefined();
    // Tampering anywhere (IV, body, tag) is detected, not decrypted into something else.
    const raw = Buffer.from(a.slice(3), "base64");
    for (const at of [0, 12, raw.length - 1]) {
      const bent = Buffer.from(raw);
      bent[at] = (bent[at] as number) ^ 1;
      expect(k.decrypt("prod\u0000X", `v1:${bent.toString("base64")}`)).toBeUndefined();
    }
    expect(k.decrypt("prod\u0000X", "v1:")).toBeUndefined();
    expect(k.decrypt("prod\u0000X", "v2:whatever")).toBeUndefined();
  });
});

describe("an embedded platform's secrets.key", () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    dir = mkdtempSync(join(tmpdir(), "quanta-secrets-key-"));
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is made (0600) when the first secret is stored, and read again after a restart", async () => {
    const dataDir = join(dir, "data");
    const file = join(dataDir, "secrets.key");
    const store = openSecretStore(db, { dataDir, env: {} });
    await store.list();
    expect((await store.forEnvironment("prod")).lookup("NOTHING")).toBeUndefined();
    expect(existsSync(file)).toBe(false);
    await store.set("prod", "DB_PASSWORD", "hunter2-but-longer", "root");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parseSecretsKey(readFileSync(file, "utf8"), file)).toHaveLength(32);
    const restarted = openSecretStore(db, { dataDir, env: {} });
    expect((await restarted.forEnvironment("prod")).lookup("DB_PASSWORD")).toBe("hunter2-but-longer");
    // QUANTA_SECRETS_KEY set to the file's key reads the same secrets (moving to the variable).
    const viaVariable = openSecretStore(db, {
      dataDir: join(dir, "elsewhere"),
      env: { QUANTA_SECRETS_KEY: readFileSync(file, "utf8") },
    });
    expect((await viaVariable.forEnvironment("prod")).lookup("DB_PASSWORD")).toBe("hunter2-but-longer");
  });

  it("says which secret it cannot open when the key file is gone or replaced, and refuses a malformed one", async () => {
    const lost = openSecretStore(db, { dataDir: join(dir, "lost"), env: {} });
    await expect(lost.forEnvironment("prod").then((v) => v.lookup("DB_PASSWORD"))).rejects.toThrow(
      `secret DB_PASSWORD of environment prod cannot be decrypted: ${join(dir, "lost", "secrets.key")} is missing and QUANTA_SECRETS_KEY is not set`,
    );
    const replacedDir = join(dir, "replaced");
    // Another data directory's store makes its own key; the secrets stored before are not its.
    const other = openSecretStore(db, { dataDir: replacedDir, env: {} });
    await other.set("dev", "UNRELATED", "x-value", "root");
    const replaced = await openSecretStore(db, { dataDir: replacedDir, env: {} }).forEnvironment("prod");
    expect(() => replaced.lookup("DB_PASSWORD")).toThrow(
      /the key in .*replaced\/secrets\.key is not the one it was stored with/,
    );
    writeFileSync(join(replacedDir, "secrets.key"), "not a key\n");
    expect(() => openSecretStore(db, { dataDir: replacedDir, env: {} })).toThrow(
      /replaced\/secrets\.key must be 32 random bytes/,
    );
  });
});
