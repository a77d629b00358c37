import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exportFormats, importFormats } from "@quanta/core";
import { defaultPoliciesFile as coreDefaultPoliciesFile } from "@quanta/core/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFormatList, importFormatList } from "./commands/format-names.js";
import { defaultPoliciesFile } from "./commands/policy.js";

const bin = resolve(import.meta.dirname, "../bin/quanta.js");
const dir = mkdtempSync(join(tmpdir(), "quanta-startup-"));

// A loader hook (ESM imports) and the CommonJS cache at exit: together, every module a run loaded.
const hooks = `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.QUANTA_LOAD_LOG, resolved.url + "\\n");
  return resolved;
}`;
const record = `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
register(new URL("./hooks.mjs", import.meta.url));
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => appendFileSync(process.env.QUANTA_LOAD_LOG, Object.keys(cache).join("\\n") + "\\n"));`;

/** The packages a run of the built console loaded (`@quanta/<package>` for the workspace's own). */
function packagesLoaded(args: string[]): Promise<{ code: number; stdout: string; packages: Set<string> }> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", join(dir, "record.mjs"), bin, ...args],
      { cwd: dir, env: { ...process.env, QUANTA_LOAD_LOG: log } },
      (error, stdout) => {
        const packages = new Set<string>();
        for (const line of readFileSync(log, "utf8").split("\n")) {
          const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
          const own = /\/packages\/([a-z-]+)\/(?:dist|src)\/(engines\/)?/.exec(line);
          if (dep?.[1]) packages.add(dep[1]);
          // The platform's list of installed engines is a light entry of its own (no driver, no server).
          else if (own?.[1] === "platform" && own[2]) packages.add("@quanta/platform/engines");
          else if (own?.[1]) packages.add(`@quanta/${own[1]}`);
        }
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, packages });
      },
    );
  });
}

/** What no command but the ones that need them may load: each costs start-up time. */
const heavy = [
  "node-sql-parser",
  "@marcbachmann/cel-js",
  "pg",
  "@electric-sql/pglite",
  "@quanta/platform",
  "protobufjs",
  "avsc",
  "@dbml/core",
  "exceljs",
];
const loadedOf = (packages: Set<string>, names: readonly string[]) => names.filter((n) => packages.has(n));

describe("start-up loads only what the command uses", () => {
  beforeAll(() => {
    writeFileSync(join(dir, "hooks.mjs"), hooks);
    writeFileSync(join(dir, "record.mjs"), record);
    writeFileSync(join(dir, "rows.csv"), "id,name\n1,a\n2,b\n");
    writeFileSync(
      join(dir, "rows.odcs.yaml"),
      `apiVersion: v3.1.0
kind: DataContract
id: rows
version: 1.0.0
status: active
servers:
  - server: files
    type: local
    path: rows.csv
    format: csv
schema:
  - name: rows
    properties:
      - name: id
        logicalType: integer
        required: true
        unique: true
      - name: name
        logicalType: string
    quality:
      - type: sql
        query: SELECT count(*) FROM {object} WHERE id < 0
        mustBe: 0
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--version and test --help load the console and commander only", async () => {
    for (const args of [["--version"], ["test", "--help"]]) {
      const r = await packagesLoaded(args);
      expect(r.code).toBe(0);
      expect([...r.packages].sort()).toEqual(["@quanta/cli", "commander", "picocolors"]);
    }
  });

  it("test on a DuckDB contract loads core and DuckDB, not the linter, CEL, PostgreSQL or the platform", async () => {
    const r = await packagesLoaded(["test", "rows.odcs.yaml"]);
    expect(r.stdout).toMatch(/passed: \d+ passed, 0 warning, 0 failed/);
    expect(r.code).toBe(0);
    // The hook sees the engine: the absence of the others is not an artefact of the recording.
    expect(
      loadedOf(r.packages, ["@quanta/core", "@quanta/engine-duckdb", "@duckdb/node-api", "@quanta/platform/engines"]),
    ).toHaveLength(4);
    expect(loadedOf(r.packages, heavy)).toEqual([]);
  });

  it("lint loads the SQL parser it needs, and still no CEL, PostgreSQL or platform", async () => {
    const r = await packagesLoaded(["lint", "rows.odcs.yaml"]);
    expect(r.code).toBe(0);
    expect(loadedOf(r.packages, heavy)).toEqual(["node-sql-parser"]);
  });

  it("diff loads neither the linter nor CEL", async () => {
    const r = await packagesLoaded(["diff", "rows.odcs.yaml", "rows.odcs.yaml"]);
    expect(r.code).toBe(0);
    expect(loadedOf(r.packages, heavy)).toEqual([]);
  });
});

describe("names the console shows in help without loading core", () => {
  it("are core's", () => {
    expect(importFormatList).toEqual(importFormats.map((f) => [f.name, f.title]));
    expect(exportFormatList).toEqual(exportFormats.map((f) => [f.name, f.title]));
    expect(defaultPoliciesFile).toBe(coreDefaultPoliciesFile);
  });
});
