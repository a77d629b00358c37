import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";
import { consoleIn } from "../run-console.test-helpers.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const standards = resolve(import.meta.dirname, "../../../../../shared/standards");

const contract = (version: string, properties: string) => `apiVersion: v3.1.0
kind: DataContract
id: orders
name: orders
version: "${version}"
status: active
schema:
  - name: orders
    properties:
${properties}`;

const idProp = "      - name: order_id\n        logicalType: string\n        required: true\n";
const noteProp = "      - name: note\n        logicalType: string\n";

let dir: string;
const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
const run = (...args: string[]) => consoleIn(dir)(...args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-diff-"));
  write("v1.odcs.yaml", contract("1.0.0", idProp + noteProp));
  write(
    "v1-minor.odcs.yaml",
    contract("1.1.0", `${idProp + noteProp}      - name: extra\n        logicalType: integer\n`),
  );
  write("v2-breaking.odcs.yaml", contract("1.1.0", idProp));
  write("product.odps.yaml", readFileSync(join(standards, "odps/examples/simple-data-product.odps.yaml"), "utf8"));
  write("broken.odcs.yaml", "apiVersion: v3.1.0\nkind: [DataContract\n");
  write("odd-version.odcs.yaml", contract("latest", idProp));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quanta diff", () => {
  it("prints one line per change with its position, then the verdict", async () => {
    const r = await run("diff", "v1.odcs.yaml", "v2-breaking.odcs.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toMatchInlineSnapshot(`
      "v1.odcs.yaml:13:9 major property-removed property orders.note removed
      severity major; version 1.0.0 → 1.1.0 (too small: use at least 2.0.0); suggested 2.0.0
      "
    `);
  });

  it("--format json has severity, versions and changes", async () => {
    const r = await run("diff", "--format", "json", "v1.odcs.yaml", "v1-minor.odcs.yaml");
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      severity: "minor",
      currentVersion: "1.1.0",
      previousVersion: "1.0.0",
      suggestedVersion: "1.1.0",
      versionOk: true,
    });
    expect(json.changes).toEqual([
      expect.objectContaining({
        kind: "property-added",
        severity: "minor",
        path: "schema[orders].properties[extra]",
        file: "v1-minor.odcs.yaml",
        line: 15,
      }),
    ]);
  });

  it("--format json says none when nothing changed", async () => {
    const json = JSON.parse((await run("diff", "--format", "json", "v1.odcs.yaml", "v1.odcs.yaml")).out);
    expect(json).toMatchObject({ severity: "none", versionOk: true, changes: [] });
  });

  it("--format markdown is the changelog", async () => {
    const r = await run("diff", "--format", "markdown", "v1.odcs.yaml", "v2-breaking.odcs.yaml");
    expect(r.out).toContain("### Breaking changes (major)");
  });

  it("colours the severity on a terminal only", async () => {
    const io = bufferIo(dir, true);
    await main(["diff", "v1.odcs.yaml", "v2-breaking.odcs.yaml"], io);
    expect(io.stdout()).toContain("\u001b[31mmajor\u001b[39m");
    expect((await run("diff", "v1.odcs.yaml", "v2-breaking.odcs.yaml")).out).not.toContain("\u001b[");
  });

  it.each([
    [
      ["diff", "v1.odcs.yaml", "product.odps.yaml"],
      /cannot compare an ODCS data contract \(v1.odcs.yaml\) with an ODPS data product/,
    ],
    [["diff", "v1.odcs.yaml", "broken.odcs.yaml"], /^quanta: cannot read broken.odcs.yaml:\d+:\d+ error yaml-/],
    [["diff", "v1.odcs.yaml", "missing.odcs.yaml"], /^quanta: no such file: missing.odcs.yaml/],
    [["diff", "v1.odcs.yaml"], /give two files \(OLD NEW\), or one file with --base/],
    [["diff", "v1.odcs.yaml", "v1.odcs.yaml", "v1.odcs.yaml"], /give two files/],
    [["diff", "--format", "yaml", "v1.odcs.yaml", "v1.odcs.yaml"], /argument 'yaml' is invalid/],
    [["diff", ".", "v1.odcs.yaml"], /\. is a folder/],
  ])("%j exits 2 with a clear message", async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a version that is not semver is a warning; the diff still runs", async () => {
    const r = await run("diff", "v1.odcs.yaml", "odd-version.odcs.yaml");
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning version-not-semver the new version "latest" is not a semantic version');
    expect(r.out).toContain("version 1.0.0 → latest (cannot be checked); suggested 2.0.0");
  });
});

describe("quanta breaking", () => {
  it("exits 1 on a major change and lists only the breaking ones", async () => {
    const r = await run("breaking", "v1.odcs.yaml", "v2-breaking.odcs.yaml");
    expect(r.code).toBe(1);
    expect(r.out).toMatchInlineSnapshot(`
      "v1.odcs.yaml:13:9 major property-removed property orders.note removed
      1 breaking change(s); severity major; version 1.0.0 → 1.1.0 (too small: use at least 2.0.0); suggested 2.0.0
      "
    `);
  });

  it("exits 0 on minor changes", async () => {
    const r = await run("breaking", "v1.odcs.yaml", "v1-minor.odcs.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toContain("no breaking changes");
  });

  it("--format json", async () => {
    const r = await run("breaking", "--format", "json", "v1.odcs.yaml", "v2-breaking.odcs.yaml");
    expect(JSON.parse(r.out)).toMatchObject({
      breaking: true,
      severity: "major",
      changes: [{ kind: "property-removed" }],
    });
  });
});

describe("quanta changelog", () => {
  it("writes Markdown grouped by severity, to stdout or a file", async () => {
    const r = await run("changelog", "v1.odcs.yaml", "v1-minor.odcs.yaml");
    expect(r.code).toBe(0);
    expect(r.out).toMatchInlineSnapshot(`
      "# Changelog: orders

      ## 1.1.0 (from 1.0.0)

      Severity: **minor**. Suggested version: 1.1.0; the declared version announces it.

      ### Additions and compatible changes (minor)

      - property orders.extra added (optional) (\`schema[orders].properties[extra]\`, property-added)
      "
    `);
    const f = await run(
      "changelog",
      "--title",
      "Orders",
      "-o",
      "CHANGELOG.md",
      "v1.odcs.yaml",
      "v2-breaking.odcs.yaml",
    );
    expect(f.code).toBe(0);
    expect(readFileSync(join(dir, "CHANGELOG.md"), "utf8")).toMatch(/^# Orders\n[\s\S]*### Breaking changes \(major\)/);
  });

  it("reads DCS through conversion", async () => {
    write("old.dcs.yaml", readFileSync(join(standards, "dcs/examples/orders-latest/datacontract.yaml"), "utf8"));
    const r = await run("diff", "--format", "json", "old.dcs.yaml", "v1.odcs.yaml");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).severity).toBe("major");
  });
});

describe("--base <git revision> (a real repository, the built binary)", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, stdio: "pipe" });
  const quanta = (...args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args], { cwd: repo }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "quanta-git-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "ci@example.com");
    git("config", "user.name", "CI");
    execFileSync("mkdir", ["-p", join(repo, "contracts")]);
    writeFileSync(join(repo, "contracts/orders.odcs.yaml"), contract("1.0.0", idProp + noteProp));
    git("add", ".");
    git("commit", "-q", "-m", "first");
    writeFileSync(join(repo, "contracts/orders.odcs.yaml"), contract("1.1.0", idProp));
    git("commit", "-q", "-am", "drop note");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("quanta breaking --base HEAD~1 exits 1 on the committed breaking change", async () => {
    const r = await quanta("breaking", "--base", "HEAD~1", "contracts/orders.odcs.yaml");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("HEAD~1:contracts/orders.odcs.yaml:");
    expect(r.stdout).toContain("major property-removed property orders.note removed");
  });

  it("quanta diff --base HEAD~1 --format json", async () => {
    const r = await quanta("diff", "--base", "HEAD~1", "--format", "json", "contracts/orders.odcs.yaml");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      severity: "major",
      previousVersion: "1.0.0",
      currentVersion: "1.1.0",
      suggestedVersion: "2.0.0",
      versionOk: false,
    });
  });

  it("the working tree against HEAD: no change, exit 0; from a subfolder too", async () => {
    const io = bufferIo(repo);
    expect(await main(["breaking", "--base", "HEAD", "contracts/orders.odcs.yaml"], io)).toBe(0);
    const sub = bufferIo(join(repo, "contracts"));
    expect(await main(["diff", "--base", "HEAD~1", "orders.odcs.yaml"], sub)).toBe(0);
    expect(sub.stdout()).toContain("HEAD~1:contracts/orders.odcs.yaml:13:9 major property-removed");
  });

  it.each([
    [["diff", "--base", "no-such-branch", "contracts/orders.odcs.yaml"], "git revision no-such-branch not found"],
    [["diff", "--base", "HEAD~5", "contracts/orders.odcs.yaml"], "git revision HEAD~5 not found"],
    [["diff", "--base", "--upload-pack=x", "contracts/orders.odcs.yaml"], "invalid git revision"],
    [
      ["diff", "--base", "HEAD", "contracts/new.odcs.yaml"],
      "contracts/new.odcs.yaml does not exist at git revision HEAD",
    ],
    [["diff", "--base", "HEAD", "a.yaml", "b.yaml"], "with --base, give exactly one file"],
  ])("%j exits 2: %s", async (args, message) => {
    if (args.includes("contracts/new.odcs.yaml"))
      writeFileSync(join(repo, "contracts/new.odcs.yaml"), contract("0.1.0", idProp));
    const io = bufferIo(repo);
    expect(await main(args, io)).toBe(2);
    expect(io.stderr()).toContain(message);
  });

  it("outside a git repository: exit 2", async () => {
    const r = await run("diff", "--base", "HEAD", "v1.odcs.yaml");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not inside a git repository/);
  });
});
