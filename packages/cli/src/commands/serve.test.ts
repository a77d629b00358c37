import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const repoExamples = resolve(import.meta.dirname, "../../../../examples");
const run = promisify(execFile);

// A private copy of the demo mesh: serve --demo generates its data there (small, for speed),
// never into the repository's own examples/.
const examples = mkdtempSync(join(tmpdir(), "quanta-serve-mesh-"));
cpSync(repoExamples, examples, { recursive: true, filter: (src) => !src.endsWith(".parquet") });

/** Starts `quanta serve` as a real process; resolves once it printed its URL. */
function startServe(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((done, fail) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url) done({ child, url, stderr: () => err });
    });
    child.once("exit", (code) => fail(new Error(`quanta serve exited with ${code}: ${err}`)));
  });
}

/** Resolves once `text()` matches, or fails after `ms` with what it held. */
async function waitFor(text: () => string, pattern: RegExp, ms = 60_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (!pattern.test(text())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return pattern.exec(text())?.[0] ?? "";
}

const stopped = (child: ChildProcess) => new Promise<number | null>((r) => child.once("exit", (code) => r(code)));

const dirs: string[] = [examples];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("quanta serve", () => {
  it("serves the demo mesh from a data directory, and stops cleanly on SIGTERM", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-"));
    dirs.push(cwd);
    const { child, url, stderr } = await startServe(["--demo", "--demo-rows", "2000", "--examples", examples], cwd);
    try {
      expect(stderr()).toMatch(/published 8 demo product\(s\), skipped 0/);
      // First start generates the source-aligned products' data (here at --demo-rows size) where their contracts point.
      expect(stderr()).toMatch(/generating demo data for 2 data product\(s\)/);
      expect(existsSync(join(examples, "climate/weather-station-readings/data/readings.parquet"))).toBe(true);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string; storage: string };
      expect(health).toMatchObject({ status: "ok", storage: "pglite" });
      expect(existsSync(join(cwd, ".quanta", "server.pid"))).toBe(true);

      // The console talks to it as a real process too.
      const search = await run(process.execPath, [bin, "search", "temprature", "--server", url, "--json"]);
      expect((JSON.parse(search.stdout) as { items: { id: string }[] }).items[0]?.id).toBe("climate.temperature");
      // Demo users with their tokens: printed, and written to DIR/demo-tokens.json (0600).
      const tokensFile = join(cwd, ".quanta", "demo-tokens.json");
      expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
      const tokens = JSON.parse(readFileSync(tokensFile, "utf8")) as Record<
        string,
        { token: string; role: string; team: string | null }
      >;
      expect(tokens["admin@quanta.example"]).toMatchObject({ role: "admin", team: null });
      expect(tokens["amara.okafor@climate-quantum.example"]).toMatchObject({
        role: "owner",
        team: "climate-quantum-climate-analytics",
      });
      expect(Object.values(tokens).filter((t) => t.role === "consumer")).toHaveLength(2);
      expect(stderr()).toContain(tokens["admin@quanta.example"]?.token);
      const publish = await run(
        process.execPath,
        [bin, "publish", join(examples, "climate/sea-level"), "--server", url],
        { env: { ...process.env, QUANTA_TOKEN: tokens["amara.okafor@climate-quantum.example"]?.token } },
      );
      expect(publish.stdout).toMatch(/^unchanged climate.sea-level 1.0.0/);

      // A second server on the same data directory is refused: PGlite has one owner.
      const second = await run(process.execPath, [bin, "serve", "--port", "0"], { cwd }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(second).toMatchObject({ code: 2 });
      expect((second as { stderr: string }).stderr).toMatch(/another Quanta server \(pid \d+\) is using .*\.quanta/);
    } finally {
      const exit = stopped(child);
      child.kill("SIGTERM");
      expect(await exit).toBe(0);
    }
    expect(stderr()).toMatch(/SIGTERM: stopping/);
    expect(existsSync(join(cwd, ".quanta", "server.pid"))).toBe(false);
    expect(existsSync(join(cwd, ".quanta", "metadata"))).toBe(true);

    // A second start finds the demo it published before, and says so.
    const again = await startServe(["--demo", "--examples", examples], cwd);
    try {
      expect(again.stderr()).toMatch(/^demo mesh already present: 8 product\(s\) unchanged$/m);
      expect(again.stderr()).not.toMatch(/published \d+ demo product/);
      // The start-up tests are news, not a warning; one line says how they ended.
      await waitFor(again.stderr, /^background contract tests finished: \d+ passed, \d+ failed/m);
      expect(again.stderr()).toMatch(/^testing \d+ contract\(s\) in the background$/m);
      expect(again.stderr()).not.toMatch(/warning: testing/);
    } finally {
      const exit = stopped(again.child);
      again.child.kill("SIGTERM");
      expect(await exit).toBe(0);
    }
  }, 180_000);

  it("refuses a bad port and an unreachable database before listening", async () => {
    const io = bufferIo();
    expect(await main(["serve", "--port", "http"], io)).toBe(2);
    expect(io.stderr()).toContain('--port must be a number from 0 to 65535 (got "http")');
    const io2 = bufferIo();
    expect(await main(["serve", "--port", "0", "--database-url", "postgres://nobody@127.0.0.1:1/none"], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/quanta: cannot use the PostgreSQL database: .*ECONNREFUSED/);
    const io3 = bufferIo();
    const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-root-"));
    dirs.push(cwd);
    expect(
      await main(["serve", "--port", "0", "--data-dir", join(cwd, "data"), "--storage-root", "s3://bucket/lake"], io3),
    ).toBe(2);
    expect(io3.stderr()).toMatch(
      /^quanta: the storage root s3:\/\/bucket\/lake needs DuckDB's httpfs extension: .*QUANTA_DUCKDB_EXTENSION_DIR/,
    );
    expect(io3.stderr()).not.toContain("    at ");
  });

  describe.skipIf(postgresSkipReason())("on PostgreSQL", () => {
    it("runs against DATABASE_URL", async () => {
      const db = await createTestDatabase("serve");
      const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-pg-"));
      dirs.push(cwd);
      const { child, url } = await startServe(
        ["--database-url", db.url, "--demo", "--demo-rows", "2000", "--examples", examples],
        cwd,
      );
      try {
        const health = (await (await fetch(`${url}/api/health`)).json()) as { storage: string };
        expect(health.storage).toBe("postgres");
        const list = (await (await fetch(`${url}/api/products`)).json()) as { total: number };
        expect(list.total).toBe(8);
        expect(existsSync(join(cwd, ".quanta"))).toBe(false);
      } finally {
        const exit = stopped(child);
        child.kill("SIGINT");
        expect(await exit).toBe(0);
        await db.drop();
      }
    }, 120_000);
  });
});
