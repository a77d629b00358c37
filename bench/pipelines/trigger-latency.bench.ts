// Time from an upstream publish to the downstream pipeline run starting: the platform as `quanta
// serve` runs it (startPlatform: PGlite on disk, the HTTP server, the job worker and schedulers),
// `bench.orders` published by `PUT /api/products/bench.orders/ports/orders/data` over a real socket,
// and `bench.cohorts` (the demo's customer-cohorts pipeline) reading that port under an approved
// agreement. Each publish makes a new version current; its downstream run is queued by the upstream
// trigger (debounced) and started by the worker. The latency is the run record's `startedAt` minus
// the time of the upstream version's `port.version.published` event (its transaction's start, just
// before the version became current), both from the store's clock. The next publish waits until
// that run has ended (a version arriving while it runs queues none, ADR 0029), then a pause of
// 0–1 s so publishes fall at any point of the worker's polling. Goal: p95 ≤ 2 s.
//
// QUANTA_BENCH_REPLICAS=2: two replicas on a throwaway PostgreSQL sharing one storage root, the
// publishes sent to one that runs no jobs (`runJobs: false`), the runs started by the other's
// worker, in its own process: what a replica learns of another's jobs only by polling.
//
// Run after `npx tsc -b`:
//   npx vite-node bench/pipelines/trigger-latency.bench.ts
//   QUANTA_BENCH_PUBLISHES=50 npx vite-node bench/pipelines/trigger-latency.bench.ts
//   QUANTA_BENCH_REPLICAS=2 npx vite-node bench/pipelines/trigger-latency.bench.ts   (PostgreSQL)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  benchPipelines,
  customersOwner,
  dist,
  median,
  ordersFiles,
  ordersOwner,
  pipelineFiles,
  quantile,
  root,
} from "./mesh.js";

const publishes = Number(process.env.QUANTA_BENCH_PUBLISHES ?? 30);
const replicas = Number(process.env.QUANTA_BENCH_REPLICAS ?? 1);
if (replicas !== 1 && replicas !== 2) throw new Error("QUANTA_BENCH_REPLICAS: 1 or 2");
const inputRows = 10_000;
if (!Number.isSafeInteger(publishes) || publishes < 1) throw new Error("QUANTA_BENCH_PUBLISHES: at least 1");

type Platform = typeof import("../../packages/platform/src/index.js");
const platform = (await import(dist("platform"))) as Platform;
const { uploadData } = (await import(
  dist("platform", "client/data-upload.js")
)) as typeof import("../../packages/platform/src/client/data-upload.js");

process.env.QUANTA_BENCH_ROWS = String(inputRows);
const { generate } = (await import(join(root, "bench", "contract-test", "generate.mjs"))) as {
  generate: () => Promise<string>;
};
const input = await generate();
const pipeline = benchPipelines.cohorts as (typeof benchPipelines)[string];

const work = mkdtempSync(join(tmpdir(), "quanta-bench-trigger-"));
const storageRoot = join(work, "lake");
let stopPostgres = async () => {};
let stopWorker = async () => {};
let store: { dataDir: string } | { url: string } = { dataDir: join(work, "server") };
if (replicas === 2) {
  const { startPostgres } = (await import(
    dist("testing", "postgres-server.js")
  )) as typeof import("../../packages/testing/src/postgres-server.js");
  const pg = await startPostgres();
  stopPostgres = () => pg.stop();
  store = { url: pg.url };
}
const server = await platform.startPlatform({
  store,
  port: 0,
  hostname: "127.0.0.1",
  dataDir: join(work, "a"),
  storageRoot,
  runJobs: replicas === 1,
});
const { db } = server;
if (replicas === 2) {
  // The second replica: the same store and storage root, its own process, the one running jobs.
  const script = `
const { startPlatform } = await import(${JSON.stringify(dist("platform"))});
const platform = await startPlatform({ store: { url: process.env.STORE_URL }, port: 0, hostname: "127.0.0.1",
  dataDir: process.env.DATA_DIR, storageRoot: process.env.STORAGE_ROOT, runJobs: true });
console.log("ready");
process.on("SIGTERM", () => platform.close().then(() => process.exit(0)));
`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      ...process.env,
      STORE_URL: (store as { url: string }).url,
      DATA_DIR: join(work, "b"),
      STORAGE_ROOT: storageRoot,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((ready, fail) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("ready") && ready());
    child.once("exit", (code) => fail(new Error(`the worker replica exited ${code}`)));
  });
  stopWorker = async () => {
    const gone = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await gone;
  };
}
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** A deterministic pause sequence (a linear congruential generator), so runs are comparable. */
let seed = 42;
const pause = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed % 1000;
};

try {
  const identity = new platform.IdentityStore(db);
  const owner = async (username: string, team: string) => {
    const user = await identity.users.createUser({ username, roles: ["consumer"] });
    if (!(await identity.teams.teamExists(team)))
      await new platform.TeamRepository(db).ensureTeam({ id: team, name: team });
    await identity.teams.setTeamMember(team, user.id, "owner");
    return (await identity.tokens.createToken(user.id, { name: "bench" })).token;
  };
  const registry = new platform.Registry(db);
  await registry.publish({ files: ordersFiles, publishedBy: "bench" });
  await registry.publish({ files: pipelineFiles(pipeline), publishedBy: "bench" });
  const ordersToken = await owner(ordersOwner, "orders-team");
  const customersToken = await owner(customersOwner, "customers-team");
  const post = async (path: string, token: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const asked = await post("/api/access-requests", customersToken, {
    productId: "bench.orders",
    port: "orders",
    consumerTeam: "customers-team",
    purpose: "Cohorts for the trigger benchmark",
  });
  await post(`/api/access-requests/${asked.id}/approve`, ordersToken, {});

  const latest = async () =>
    (
      await db.query<{ id: number; status: string; started: Date | null; finished: Date | null }>(
        `SELECT id::int AS id, status, started_at AS started, finished_at AS finished FROM pipeline_runs
         WHERE product_id = $1 ORDER BY id DESC LIMIT 1`,
        [pipeline.productId],
      )
    ).rows[0];
  const publishedAt = async (version: number) => {
    const { rows } = await db.query<{ at: Date }>(
      `SELECT at FROM events WHERE type = 'port.version.published' AND subject = 'bench.orders'
         AND (payload->>'version')::int = $1`,
      [version],
    );
    if (!rows[0]) throw new Error(`no port.version.published event for version ${version}`);
    return new Date(rows[0].at).getTime();
  };
  console.log(
    `trigger-latency (${replicas === 1 ? "one replica, PGlite" : "two replicas, PostgreSQL: publishes to one, jobs on the other"}): ${publishes} publishes of ${inputRows.toLocaleString("en-US")} orders to bench.orders, downstream ${pipeline.productId}; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const latencies: number[] = [];
  const afterResponse: number[] = [];
  const failed: string[] = [];
  for (let i = 1; i <= publishes; i++) {
    await sleep(pause());
    const before = (await latest())?.id ?? 0;
    const result = await uploadData(server.url, ordersToken, "bench.orders", "orders", input, { format: "parquet" });
    const answered = Date.now();
    const current = await publishedAt(result.version);
    // The downstream run: queued by the publish, started by the worker (polled every 5 ms).
    const deadline = Date.now() + 30_000;
    let run = await latest();
    while (!(run && run.id > before && run.started)) {
      if (Date.now() > deadline) throw new Error(`publish ${i}: no downstream run started within 30 s`);
      await sleep(5);
      run = await latest();
    }
    const started = new Date(run.started as Date).getTime();
    latencies.push(started - current);
    afterResponse.push(started - answered);
    while (!run?.finished) {
      if (Date.now() > deadline) throw new Error(`publish ${i}: run ${run?.id} did not end within 30 s`);
      await sleep(20);
      run = await latest();
    }
    if (run.status !== "succeeded") failed.push(`run ${run.id}: ${run.status}`);
    console.log(
      `  publish ${String(i).padStart(2)}: version ${result.version}, run ${run.id} started ${(started - current).toFixed(0)} ms after it was current (${(started - answered).toFixed(0)} ms after the PUT's answer), ${run.status}`,
    );
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const p95 = quantile(latencies, 0.95);
  console.log(`\nupstream version current → downstream run started, ${latencies.length} publishes:`);
  console.log(
    `  p50 ${s(median(latencies))}, p95 ${s(p95)}, max ${s(Math.max(...latencies))}, min ${s(Math.min(...latencies))}`,
  );
  console.log(
    `  (from the PUT's answer: p50 ${s(median(afterResponse))}, p95 ${s(quantile(afterResponse, 0.95))}, max ${s(Math.max(...afterResponse))})`,
  );
  if (failed.length > 0) console.log(`  runs that did not succeed: ${failed.join("; ")}`);
  console.log(`\n${p95 <= 2000 ? "PASS" : "FAIL"} goal p95 ≤ 2 s: ${s(p95)}`);
} finally {
  await stopWorker();
  await server.close();
  await stopPostgres();
  rmSync(work, { recursive: true, force: true });
}
