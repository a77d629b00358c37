import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const run = promisify(execFile);
let platform: RunningPlatform;
let work: string;
let token: string;
let consumerToken: string;

const policy = (extra = "") => `apiVersion: quanta/v1
kind: PolicySet
name: org
version: 1.0.0
rules:
  - id: tags-present
    description: every product has tags
    severity: advisory
    cel: size(product.tags) > 0
    message: the product has no tags${extra}
`;

beforeAll(async () => {
  platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1", runJobs: false });
  work = mkdtempSync(join(tmpdir(), "quanta-policy-apply-"));
  process.env.XDG_CONFIG_HOME = join(work, "config");
  const identity = new IdentityStore(platform.db);
  const gov = await identity.users.createUser({ username: "gov@example.com", roles: ["governance"] });
  token = (await identity.tokens.createToken(gov.id, { name: "ci" })).token;
  process.env.QUANTA_TOKEN = token;
  const consumer = await identity.users.createUser({ username: "mia@example.com" });
  consumerToken = (await identity.tokens.createToken(consumer.id, { name: "laptop" })).token;
  writeFileSync(join(work, "org.yaml"), policy());
  writeFileSync(join(work, "bad.yaml"), policy("\n    colour: blue"));
});
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.QUANTA_TOKEN;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args);

describe("quanta policy apply", () => {
  it("applies a policy file as a new version, and says when it is unchanged", async () => {
    const first = await quanta("policy", "apply", "org.yaml", "--server", platform.url);
    expect(first).toMatchObject({ code: 0, out: "applied org 1.0.0 (policy revision 1; 0 products re-evaluated)\n" });
    const again = await quanta("policy", "apply", "org.yaml", "--server", platform.url);
    expect(again.out).toBe("unchanged org 1.0.0 (policy revision 1; 0 products re-evaluated)\n");
  });

  it("refuses a file with unknown fields at line:column, from the built binary, storing nothing", async () => {
    const err = await run("node", [bin, "policy", "apply", "bad.yaml", "--server", platform.url], {
      cwd: work,
      env: { ...process.env, QUANTA_TOKEN: token },
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).toContain("bad.yaml:11:5");
    expect(stderr).toContain('unknown field "colour"');
    const { rows } = await platform.db.query("SELECT * FROM policy_versions");
    expect(rows).toHaveLength(1);
  });

  it("exits 1 when the server does not allow the caller to apply global rules (403)", async () => {
    process.env.QUANTA_TOKEN = consumerToken;
    try {
      expect(await quanta("policy", "apply", "org.yaml", "--server", platform.url)).toEqual({
        code: 1,
        out: "",
        err: "quanta: only governance and admins apply global rules\n",
      });
    } finally {
      process.env.QUANTA_TOKEN = token;
    }
  });
});
