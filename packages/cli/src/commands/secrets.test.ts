import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IdentityStore, openSecretStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const key = randomBytes(32).toString("base64");
let platform: RunningPlatform;
let work: string;
let adminToken: string;
let consumerToken: string;

beforeAll(async () => {
  // The server's secret store reads the key from the environment; the test opens a second one on it.
  process.env.QUANTA_SECRETS_KEY = key;
  platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1", runJobs: false });
  work = mkdtempSync(join(tmpdir(), "quanta-secrets-"));
  process.env.XDG_CONFIG_HOME = join(work, "config");
  const identity = new IdentityStore(platform.db);
  const admin = await identity.users.createUser({ username: "root@example.com", roles: ["admin"] });
  adminToken = (await identity.tokens.createToken(admin.id, { name: "ci" })).token;
  const consumer = await identity.users.createUser({ username: "mia@example.com" });
  consumerToken = (await identity.tokens.createToken(consumer.id, { name: "laptop" })).token;
  process.env.QUANTA_TOKEN = adminToken;
});
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.QUANTA_TOKEN;
  delete process.env.QUANTA_SECRETS_KEY;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args, "--server", platform.url);
/** What a contract server of `environment` would get for `${name}`. */
const resolved = async (environment: string, name: string) => {
  const store = openSecretStore(platform.db, { env: { QUANTA_SECRETS_KEY: key } });
  return (await store.forEnvironment(environment)).lookup(name);
};

/** The built console as a real process, `stdin` piped in. */
function piped(stdin: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [bin, ...args, "--server", platform.url], {
    env: { ...process.env, QUANTA_TOKEN: adminToken },
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  child.stdin.end(stdin);
  return new Promise((r) => child.once("close", (code) => r({ code, out, err })));
}

describe("quanta secrets", () => {
  it("sets a secret from stdin, one trailing newline trimmed, and says when it replaced one", async () => {
    const first = await piped("pa ss\n", "secrets", "set", "prod", "DB_PASSWORD");
    expect(first).toEqual({ code: 0, out: "stored secret DB_PASSWORD of environment prod\n", err: "" });
    expect(await resolved("prod", "DB_PASSWORD")).toBe("pa ss");
    const again = await piped("line one\nline two\r\n", "secrets", "set", "prod", "DB_PASSWORD");
    expect(again.out).toBe("replaced secret DB_PASSWORD of environment prod\n");
    expect(await resolved("prod", "DB_PASSWORD")).toBe("line one\nline two");
    const empty = await piped("\n", "secrets", "set", "prod", "DB_PASSWORD");
    expect(empty.code).toBe(2);
    expect(empty.err).toContain("quanta: no value for prod/DB_PASSWORD: pipe it on stdin");
  });

  it("takes the value from --from-env instead, exactly", async () => {
    process.env.WAREHOUSE_PASSWORD_FOR_TEST = "  from the environment  ";
    try {
      const res = await quanta(
        "secrets",
        "set",
        "any",
        "WAREHOUSE_PASSWORD",
        "--from-env",
        "WAREHOUSE_PASSWORD_FOR_TEST",
      );
      expect(res).toEqual({ code: 0, out: "stored secret WAREHOUSE_PASSWORD of environment any\n", err: "" });
      expect(await resolved("dev", "WAREHOUSE_PASSWORD")).toBe("  from the environment  ");
    } finally {
      delete process.env.WAREHOUSE_PASSWORD_FOR_TEST;
    }
    expect(await quanta("secrets", "set", "any", "X", "--from-env", "NOT_SET_ANYWHERE")).toEqual({
      code: 2,
      out: "",
      err: "quanta: --from-env NOT_SET_ANYWHERE: $NOT_SET_ANYWHERE is not set\n",
    });
  });

  it("lists every secret's environment, name and last change, never a value", async () => {
    const text = await quanta("secrets", "list");
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ENVIRONMENT\s+NAME\s+UPDATED\s+BY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ["any", "WAREHOUSE_PASSWORD", expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), "root@example.com"],
      ["prod", "DB_PASSWORD", expect.any(String), "root@example.com"],
    ]);
    const json = await quanta("secrets", "list", "--json");
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({ environment: "any", name: "WAREHOUSE_PASSWORD" }),
      expect.objectContaining({ environment: "prod", name: "DB_PASSWORD" }),
    ]);
    for (const out of [text.out, json.out]) {
      expect(out).not.toContain("line one");
      expect(out).not.toContain("from the environment");
    }
  });

  it("deletes a secret; a second delete ends with exit 2 and the server's message", async () => {
    expect(await quanta("secrets", "delete", "prod", "DB_PASSWORD")).toEqual({
      code: 0,
      out: "deleted secret DB_PASSWORD of environment prod\n",
      err: "",
    });
    expect(await quanta("secrets", "delete", "prod", "DB_PASSWORD")).toEqual({
      code: 2,
      out: "",
      err: "quanta: no secret DB_PASSWORD in environment prod\n",
    });
    expect(await resolved("prod", "DB_PASSWORD")).toBeUndefined();
  });

  it("passes on the server's refusals: a bad name (2), not an admin (1), not signed in (2)", async () => {
    const bad = await quanta("secrets", "delete", "prod", "1-BAD");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^quanta: "1-BAD" is not a secret name: a letter or "_"/);
    process.env.QUANTA_TOKEN = consumerToken;
    try {
      expect(await quanta("secrets", "list")).toEqual({
        code: 1,
        out: "",
        err: "quanta: only admins manage the platform's secrets\n",
      });
    } finally {
      process.env.QUANTA_TOKEN = adminToken;
    }
    delete process.env.QUANTA_TOKEN;
    try {
      const anonymous = await quanta("secrets", "list");
      expect(anonymous.code).toBe(2);
      expect(anonymous.err).toContain("quanta: sign in (an API token or an OpenID Connect bearer token)");
    } finally {
      process.env.QUANTA_TOKEN = adminToken;
    }
  });
});
