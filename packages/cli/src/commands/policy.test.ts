import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const examples = resolve(import.meta.dirname, "../../../../examples");

let dir: string;
const write = (name: string, text: string) => {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return name;
};

async function quanta(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["policy", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const strict = `apiVersion: quanta/v1
kind: PolicySet
name: climate-rules
version: 1.1.0
rules:
  - id: retention-declared
    builtin: retention-declared
    severity: blocking
    scope: { domain: climate }
    levels: [raw]
  - id: tagged
    severity: advisory
    cel: has(product.tags) && product.tags.exists(t, t == "climate")
    message: climate products carry the climate tag
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-policy-"));
  cpSync(join(examples, "climate/physical-risk"), join(dir, "physical-risk"), { recursive: true });
  cpSync(join(examples, "webshop/orders"), join(dir, "orders"), { recursive: true });
  write("strict.yaml", strict);
  write(
    "bad.yaml",
    "apiVersion: quanta/v1\nkind: PolicySet\nname: x\nversion: 1.0.0\nrules:\n  - id: a\n    builtin: sla-declared\n    severity: must\n",
  );
  write("broken/p.odps.yaml", "apiVersion: v1.0.0\nkind: DataProduct\nid: [\n");
  // A new version of orders with a breaking change and no announcement.
  cpSync(join(dir, "orders"), join(dir, "orders-v2"), { recursive: true });
  const contract = join(dir, "orders-v2/contracts/orders.odcs.yaml");
  writeFileSync(
    contract,
    readFileSync(contract, "utf8")
      .replace("version: 1.3.0", "version: 2.0.0")
      .replace("name: customer_email", "name: email"),
  );
});

describe("quanta policy list", () => {
  it("lists the default global set", async () => {
    const r = await quanta("list");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^quanta-default 1\.0\.0 \(14 rules\)/);
    expect(r.out).toMatch(/owner-and-support\s+blocking\s+raw\s+global\s+builtin owner-and-support/);
  });

  it("lists a file's rules as JSON, with where each is defined", async () => {
    const r = await quanta("list", "strict.yaml", "--format", "json");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ policy: "climate-rules", version: "1.1.0" });
    expect(json.rules[0]).toMatchObject({
      id: "retention-declared",
      scope: { domain: "climate" },
      source: "strict.yaml:6:5",
    });
    expect(json.rules[1]).toMatchObject({ id: "tagged", cel: expect.stringContaining("product.tags") });
  });

  it("reports an invalid policy file at file:line:column and exits 1", async () => {
    const r = await quanta("list", "bad.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      'bad.yaml:8:15 error policy-severity-invalid severity must be blocking or advisory, not "must"\n',
    );
  });
});

describe("quanta policy test", () => {
  it("passes a demo product on the default set and explains its certification level (exit 0)", async () => {
    const r = await quanta("test", "--product", "physical-risk");
    expect(r.code).toBe(0);
    expect(r.out).toContain("policy quanta-default 1.0.0 on climate.physical-risk (domain climate)");
    expect(r.out).toContain("fail  advisory  retention-declared");
    expect(r.out).toContain(
      "physical-risk/contracts/asset-risk-scores.odcs.yaml:258:3 contract climate.physical-risk.asset-risk-scores declares no retention",
    );
    expect(r.out).toContain("12 passed, 2 failed (0 blocking)");
    expect(r.out).toContain("certification: raw");
  });

  it("exits 1 when a domain makes a failing rule blocking", async () => {
    const r = await quanta("test", "strict.yaml", "--with-defaults", "--product", "physical-risk", "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({ policy: "quanta-default+climate-rules", blocking: true, domain: "climate" });
    expect(json.results.find((x: { ruleId: string }) => x.ruleId === "retention-declared")).toMatchObject({
      severity: "blocking",
      passed: false,
      policy: "climate-rules",
      policyVersion: "1.1.0",
    });
    expect(json.certification.level).toBe("none");
  });

  it("the domain rule does not apply to another domain", async () => {
    const r = await quanta("test", "strict.yaml", "--product", "orders");
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("retention-declared");
    expect(r.out).toContain("fail  advisory  tagged");
  });

  it("refuses a breaking change without notice against --previous (exit 1)", async () => {
    const r = await quanta("test", "--product", "orders-v2", "--previous", "orders");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL {2}blocking {2}breaking-change-notice/);
    expect(r.out).toMatch(
      /orders-v2\/contracts\/orders.odcs.yaml:5:10 contract sales.orders.orders has \d+ breaking change/,
    );
  });

  it("exits 2 when it cannot run: invalid policy, unreadable product, missing folder, no --product", async () => {
    const bad = await quanta("test", "bad.yaml", "--product", "orders");
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("bad.yaml:8:15 error policy-severity-invalid");
    expect(bad.err).toContain("quanta: the policy files are invalid");
    const broken = await quanta("test", "--product", "broken");
    expect(broken.code).toBe(2);
    expect(broken.out).toMatch(/^broken\/p.odps.yaml:\d+:\d+ error yaml-/);
    expect((await quanta("test", "--product", "nowhere")).err).toContain("quanta: no such directory: nowhere");
    expect((await quanta("test")).code).toBe(2);
  });

  it("runs as a real process (the built binary)", async () => {
    const run = promisify(execFile);
    const ok = await run("node", [bin, "policy", "test", "--product", "physical-risk", "--format", "json"], {
      cwd: dir,
    });
    expect(JSON.parse(ok.stdout)).toMatchObject({ productId: "climate.physical-risk", blocking: false });
    const failed = await run(
      "node",
      [bin, "policy", "test", "strict.yaml", "--with-defaults", "--product", "physical-risk"],
      {
        cwd: dir,
      },
    ).catch((e: { code: number; stdout: string }) => e);
    expect("code" in failed ? failed.code : 0).toBe(1);
    expect(failed.stdout).toContain("FAIL  blocking  retention-declared");
  });
});
