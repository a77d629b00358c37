import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeData } from "@quanta/engine-duckdb/test-data";
import {
  IdentityStore,
  Lake,
  openDatabase,
  type PipelineRunDetail,
  readProductFolder,
  StorageRoot,
} from "@quanta/platform";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const built = existsSync(resolve(import.meta.dirname, "../../dist/main.js"));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `quanta serve` as a real process (its job worker runs the pipelines); resolves once it printed its URL. */
function startServe(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--host", "127.0.0.1", ...args], {
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
const exited = (child: ChildProcess) => new Promise((done) => child.once("exit", done));

const team = `team:
  name: Kill team
  members:
    - username: kim@kill.example
      role: owner
      dateIn: "2024-01-01"
support:
  - channel: "#kill"
    url: https://chat.example.com/kill
    tool: slack
`;
const product = (id: string, version: string, ports: string) => `apiVersion: v1.0.0
kind: DataProduct
id: kill.${id}
name: Kill ${id}
version: ${version}
status: active
domain: kill
description:
  purpose: A product of the pipeline kill test.
${ports}${team}`;
const contract = (id: string) => `apiVersion: v3.1.0
kind: DataContract
id: kill.${id}.out
name: Out
version: 1.0.0
status: active
description:
  purpose: The output of a product of the pipeline kill test.
schema:
  - name: out
    properties:
      - name: n
        logicalType: integer
        classification: internal
        required: true
`;
const builtPorts =
  "inputPorts:\n  - name: source\n    version: 1.0.0\n    contractId: kill.source.out\noutputPorts:\n  - name: out\n    version: 1.0.0\n    contractId: kill.built.out\n";
const pipeline = (sql: string, extra = "") =>
  `apiVersion: quanta/v1\nkind: Pipeline\n${extra}outputs:\n  - port: out\n    steps:\n      - name: result\n        sql: ${sql}\n`;

// The built console runs as its own process, so it can be killed: `npm test` builds it first.
describe.skipIf(postgresSkipReason() || !built)("kill -9 of the worker in the middle of a pipeline's write", () => {
  it("leaves the port's current version serving; after a restart the run is retried, then failed with its reason", async () => {
    const store = await createTestDatabase("kill_pipeline");
    const cwd = mkdtempSync(join(tmpdir(), "quanta-kill-pipeline-"));
    dirs.push(cwd);
    const root = join(cwd, "shared-lake");
    const source = join(cwd, "source");
    const builtDir = join(cwd, "built");
    for (const d of [join(source, "contracts"), join(builtDir, "contracts")]) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(source, "source.odps.yaml"),
      product("source", "1.0.0", "outputPorts:\n  - name: out\n    version: 1.0.0\n    contractId: kill.source.out\n"),
    );
    writeFileSync(join(source, "contracts/out.odcs.yaml"), contract("source"));
    writeFileSync(join(builtDir, "contracts/out.odcs.yaml"), contract("built"));
    const data = await writeData(join(cwd, "source.parquet"), "SELECT i::BIGINT AS n FROM range(1, 301) t(i)");
    const db = await openDatabase({ url: store.url });
    const args = ["--database-url", store.url, "--storage-root", root];
    let server = await startServe(args, cwd);
    try {
      const identity = new IdentityStore(db);
      const kim = await identity.users.createUser({ username: "kim@kill.example", roles: ["admin"] });
      const { token } = await identity.tokens.createToken(kim.id, { name: "test" });
      const auth = { authorization: `Bearer ${token}` };
      const api = async (method: string, path: string, body?: unknown, type = "application/json") => {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { ...auth, ...(body !== undefined ? { "content-type": type } : {}) },
          ...(body !== undefined
            ? { body: type === "application/json" ? JSON.stringify(body) : new Uint8Array(body as Buffer) }
            : {}),
        });
        return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
      };
      const publishBuilt = async (version: string, text: string) => {
        writeFileSync(join(builtDir, "built.odps.yaml"), product("built", version, builtPorts));
        writeFileSync(join(builtDir, "pipeline.yaml"), text);
        expect((await api("POST", "/api/products", { files: await readProductFolder(builtDir) })).status).toBe(201);
      };
      const run = async (id: number) =>
        (await api("GET", `/api/products/kill.built/pipeline/runs/${id}`)).body as unknown as PipelineRunDetail;
      expect((await api("POST", "/api/products", { files: await readProductFolder(source) })).status).toBe(201);
      // Kim publishes as an admin, and reads as the owner team's member (a team reads its own product).
      await identity.teams.setTeamMember("kill-team", kim.id, "owner");
      const put = await api(
        "PUT",
        "/api/products/kill.source/ports/out/data",
        await readFile(data),
        "application/vnd.apache.parquet",
      );
      expect(put.status).toBe(201);

      // Version 1 of the built port, by a quick pipeline.
      await publishBuilt("1.0.0", pipeline("SELECT n FROM source"));
      const first = await api("POST", "/api/products/kill.built/pipeline/runs");
      expect(first.status).toBe(202);
      await expect.poll(async () => (await run(first.body.id as number)).status, { timeout: 30_000 }).toBe("succeeded");
      const lake = new Lake(new StorageRoot(root));
      const before = await lake.current(db, "kill.built", "out");
      expect(before?.version).toBe(1);

      // Version 1.1.0 builds for far longer than its time limit: the worker is killed while it writes.
      const slow = `SELECT sum(a.n * b.n + c.n * d.n)::BIGINT AS n FROM source a, source b, source c, source d`;
      await publishBuilt("1.1.0", pipeline(slow, "limits: { timeout: 3s }\n"));
      const queued = await api("POST", "/api/products/kill.built/pipeline/runs");
      const runId = queued.body.id as number;
      const staged = async () => (await lake.versions.history(db, "kill.built", "out", { limit: 1 }))[0];
      await expect.poll(async () => (await staged())?.state, { timeout: 30_000 }).toBe("staged");
      await new Promise((r) => setTimeout(r, 500));
      expect((await run(runId)).status).toBe("running");
      const gone = exited(server.child);
      server.child.kill("SIGKILL");
      await gone;

      // No partial version is visible: the current version is the one before, its file whole.
      expect(await lake.current(db, "kill.built", "out")).toEqual(before);
      expect((await staged())?.state).toBe("staged");
      expect((await db.query("SELECT status FROM pipeline_runs WHERE id = $1", [runId])).rows[0]).toEqual({
        status: "running",
      });

      // The dead worker's lease runs out (here at once, instead of after a minute); a new server takes the job.
      await db.query("UPDATE jobs SET locked_until = now() WHERE key = $1", [`pipeline-run:${runId}`]);
      server = await startServe(args, cwd);
      await expect.poll(async () => (await run(runId)).status, { timeout: 60_000 }).toBe("failed");
      const ended = await run(runId);
      expect(ended.attempt).toBe(2);
      expect(ended.attempts).toEqual([
        expect.objectContaining({ attempt: 1, transient: true, reason: expect.stringContaining("stopped mid-run") }),
      ]);
      expect(ended.reason).toContain("the run's time limit of 3 s was reached");
      // The killed attempt's staged version was given up at start; consumers still read version 1.
      await expect
        .poll(async () => (await lake.versions.byVersion(db, "kill.built", "out", 2))?.state, { timeout: 20_000 })
        .toBe("failed");
      expect(await lake.current(db, "kill.built", "out")).toEqual(before);
      const read = await api("POST", "/api/products/kill.built/consume", {
        port: "out",
        sql: "SELECT count(*)::INT AS n FROM out",
        format: "json",
      });
      expect(read.body).toMatchObject({ rows: [{ n: 300 }] });
    } finally {
      const gone = exited(server.child);
      server.child.kill("SIGINT");
      await gone;
      await db.close();
      await store.drop();
    }
  }, 180_000);
});
