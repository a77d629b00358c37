import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Even 100 rows cross-joined six times are 1e12 rows: nothing finishes this within a test. */
const slowSql = "SELECT count(*) AS n FROM readings a, readings b, readings c, readings d, readings e, readings f";

/** A mesh of one product, `test.slow`, whose contract has a SQL rule that never finishes. */
function writeSlowMesh(root: string): string {
  const dir = join(root, "mesh", "slow");
  mkdirSync(join(dir, "contracts"), { recursive: true });
  mkdirSync(join(dir, "data"), { recursive: true });
  const rows = Array.from({ length: 100 }, (_, i) => `${i + 1},S-${String(i % 50).padStart(3, "0")}`);
  writeFileSync(join(dir, "data", "readings.csv"), `reading_id,station\n${rows.join("\n")}\n`);
  writeFileSync(
    join(dir, "slow.odps.yaml"),
    `apiVersion: v1.0.0
kind: DataProduct
id: test.slow
name: Slow
version: 1.0.0
status: active
domain: testing
description:
  purpose: A product whose contract test never finishes, for the shutdown tests.
support:
  - channel: "#slow"
    url: https://chat.example.com/slow
    tool: slack
outputPorts:
  - name: readings
    type: tables
    version: 1.0.0
    contractId: test.slow.readings
    tags: [public]
team:
  name: Slow team
  members:
    - username: ada@example.com
      role: owner
      dateIn: "2024-01-01"
`,
  );
  writeFileSync(
    join(dir, "contracts", "readings.odcs.yaml"),
    `apiVersion: v3.1.0
kind: DataContract
id: test.slow.readings
name: Readings
version: 1.0.0
status: active
description:
  purpose: Readings that take forever to test.
servers:
  - server: local
    type: local
    path: ../data/readings.csv
    format: csv
schema:
  - name: readings
    physicalType: table
    quality:
      - type: sql
        query: ${slowSql}
        mustBeGreaterThan: 0
    properties:
      - name: reading_id
        logicalType: integer
        classification: public
        required: true
      - name: station
        logicalType: string
        classification: public
`,
  );
  return join(root, "mesh");
}

/** Starts `quanta serve` as a real process; resolves once it printed its URL. */
function startServe(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    child.once("exit", (code, signal) => r({ code, signal, at: Date.now() })),
  );
  const started = new Promise<string>((done, fail) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url) done(url);
    });
    void exited.then(({ code }) => fail(new Error(`quanta serve exited with ${code}: ${err}`)));
  });
  return { child, started, exited, stderr: () => err };
}

/** Starts a consume query that keeps DuckDB busy for its whole time limit (30 s); resolves a second into it. */
async function consumeSlowly(url: string, dataDir: string): Promise<{ consuming: Promise<unknown> }> {
  const tokens = JSON.parse(readFileSync(join(dataDir, "demo-tokens.json"), "utf8")) as Record<
    string,
    { token: string }
  >;
  const consuming = fetch(`${url}/api/products/test.slow/consume`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tokens["admin@quanta.example"]?.token}` },
    body: JSON.stringify({ port: "readings", sql: slowSql }),
  }).catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 1_000));
  return { consuming };
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(postgresSkipReason())("quanta serve stopping", () => {
  it("stops on SIGTERM within its bound in the middle of a long contract test, leaving the job to another replica", async () => {
    const db = await createTestDatabase("serve_stop");
    const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-stop-"));
    dirs.push(cwd);
    const admin = new pg.Client({ connectionString: db.url });
    const serve = startServe(["--database-url", db.url, "--demo", "--examples", writeSlowMesh(cwd)], cwd, {
      QUANTA_CHECK_TIMEOUT_MS: "120000",
      QUANTA_SHUTDOWN_TIMEOUT_MS: "3000",
    });
    try {
      await serve.started;
      await admin.connect();
      const run = await until(async () => {
        const { rows } = await admin.query(
          "SELECT id FROM test_runs WHERE product_id = 'test.slow' AND status = 'running'",
        );
        return rows[0] as { id: number } | undefined;
      }, 20_000);
      expect(run, serve.stderr()).toBeDefined();
      await new Promise((r) => setTimeout(r, 500)); // inside the slow rule
      const signalled = Date.now();
      serve.child.kill("SIGTERM");
      const exit = await serve.exited;
      expect(exit.at - signalled).toBeLessThan(3_000);
      expect(exit.code).toBe(0);
      expect(serve.stderr()).toMatch(
        /SIGTERM: stopping \(requests and jobs in flight get 3 s; SIGTERM again stops at once\)/,
      );
      const runs = await admin.query("SELECT status, reason FROM test_runs WHERE id = $1", [run?.id]);
      expect(runs.rows).toEqual([
        { status: "abandoned", reason: "stopped before it finished: the server is stopping" },
      ]);
      const jobs = await admin.query(
        "SELECT status, attempts, locked_by, run_at <= now() AS due FROM jobs WHERE kind = 'contract-test'",
      );
      expect(jobs.rows).toEqual([{ status: "queued", attempts: 0, locked_by: null, due: true }]);
    } finally {
      serve.child.kill("SIGKILL");
      await admin.end().catch(() => {});
      await db.drop();
    }
  }, 120_000);

  it("cuts a slow request at the bound and stops its query, so the process can exit", async () => {
    const db = await createTestDatabase("serve_stop_request");
    const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-stop-"));
    dirs.push(cwd);
    const dataDir = join(cwd, ".quanta");
    const serve = startServe(
      ["--database-url", db.url, "--data-dir", dataDir, "--demo", "--examples", writeSlowMesh(cwd)],
      cwd,
      { QUANTA_SHUTDOWN_TIMEOUT_MS: "2000" },
    );
    try {
      const { consuming } = await consumeSlowly(await serve.started, dataDir);
      const signalled = Date.now();
      serve.child.kill("SIGTERM");
      const exit = await serve.exited;
      // The consume query's own limit is 30 s: without the interrupt the process would wait for it.
      expect(exit.at - signalled).toBeLessThan(5_000);
      expect(exit.code).toBe(0);
      const answer = await consuming;
      expect(answer, answer instanceof Response ? await answer.text() : String(answer)).toBeInstanceOf(Error);
    } finally {
      serve.child.kill("SIGKILL");
      await db.drop();
    }
  }, 120_000);

  it("exits at once on a second SIGTERM while a slow request holds the first", async () => {
    const db = await createTestDatabase("serve_stop_twice");
    const cwd = mkdtempSync(join(tmpdir(), "quanta-serve-stop-"));
    dirs.push(cwd);
    const dataDir = join(cwd, ".quanta");
    const serve = startServe(
      ["--database-url", db.url, "--data-dir", dataDir, "--demo", "--examples", writeSlowMesh(cwd)],
      cwd,
      { QUANTA_SHUTDOWN_TIMEOUT_MS: "60000" },
    );
    try {
      const { consuming } = await consumeSlowly(await serve.started, dataDir);
      serve.child.kill("SIGTERM");
      await until(async () => (/SIGTERM: stopping/.test(serve.stderr()) ? true : undefined), 5_000);
      await new Promise((r) => setTimeout(r, 300));
      const again = Date.now();
      serve.child.kill("SIGTERM");
      const exit = await serve.exited;
      expect(exit.at - again).toBeLessThan(1_000);
      expect(exit.signal).toBe("SIGTERM");
      await consuming;
    } finally {
      serve.child.kill("SIGKILL");
      await db.drop();
    }
  }, 120_000);
});
