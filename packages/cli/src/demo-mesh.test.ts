import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateProductData } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "./buffer-io.js";
import { main } from "./main.js";

const repo = resolve(import.meta.dirname, "../../..");
const bin = join(repo, "packages/cli/bin/quanta.js");

/** Files under `dir` whose name ends with `suffix`, recursively. */
async function find(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}

// The demo mesh is what a new user meets first: its generated data must keep meeting its contracts.
describe("the demo mesh", () => {
  let mesh: string;
  let contracts: string[];

  beforeAll(async () => {
    mesh = await mkdtemp(join(tmpdir(), "quanta-demo-"));
    await cp(join(repo, "examples"), mesh, { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    const products = (await find(mesh, ".odps.yaml")).map((f) => resolve(f, ".."));
    expect(products.length).toBeGreaterThanOrEqual(8);
    // The source-aligned products generate their data; the others are built by their pipelines
    // (engine-duckdb's demo-pipelines test runs them and their contracts' checks).
    const generated = products.filter((p) => existsSync(join(p, "data", "generate.sql")));
    expect(generated.length).toBe(2);
    for (const product of generated) await generateProductData(product);
    contracts = (await Promise.all(generated.map((p) => find(p, ".odcs.yaml")))).flat().sort();
  });
  afterAll(async () => {
    await rm(mesh, { recursive: true, force: true });
  });

  it("lints clean", async () => {
    const io = bufferIo(mesh);
    expect(await main(["lint", mesh, "--format", "json"], io)).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report.issues.filter((i: { severity: string }) => i.severity !== "info")).toEqual([]);
  });

  it("passes the source-aligned contracts' checks on freshly generated data", async () => {
    expect(contracts.length).toBe(3);
    for (const contract of contracts) {
      const io = bufferIo(mesh);
      const code = await main(["test", contract, "--server", "local", "--format", "json"], io);
      const report = JSON.parse(io.stdout());
      const notPassed = report.checks.filter(
        (c: { result: string }) => c.result !== "passed" && c.result !== "skipped",
      );
      expect({ contract, code, notPassed }).toEqual({ contract, code: 0, notPassed: [] });
      expect(report.checks.length).toBeGreaterThan(10);
    }
  });

  it("is tested by the built console as a real process", async () => {
    const orders = contracts.find((c) => c.includes("webshop/orders/"));
    expect(orders).toBeDefined();
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "test", orders!, "--format", "json"]);
    expect(JSON.parse(stdout).result).toBe("passed");
  });
});
