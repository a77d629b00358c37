// A pipeline over a 10,000,000-row input, tests included, end to end through the platform: the
// input is a port version of `bench.orders` in the storage Quanta owns (uploaded once, through
// publishData), the pipeline's product reads it under an approved data usage agreement, and each
// round is one run through `runPipeline` on an embedded store (PGlite on disk): inputs planned
// through the mesh, the steps built in the locked-down DuckDB, the output written as Parquet into a
// staged version, the contract's checks run on it, the version made current, the run recorded.
// Against the same SQL run by hand with DuckDB in the same process: `COPY (WITH orders AS
// (read_parquet …), <each step> AS (…) SELECT * FROM <last step>) TO 'x.parquet'` in a fresh
// in-memory instance with the run's 2 threads. Interleaved round by round (after one untimed run);
// the verdict is the median of the rounds' ratios; goal ≤ 1.3×.
//
// QUANTA_BENCH_PIPELINE picks the pipeline (mesh.ts): `cohorts` (default), the demo mesh's
// customer-cohorts pipeline (3 steps, 42 rows out, 42 checks), or `customers`, a cheap filter and
// one row per customer (2 steps, 250,000 rows out, 23 checks), where the platform's own costs weigh
// the most. Both print wall and CPU time (this process: DuckDB's threads, PGlite, the platform).
//
// Where a run's time goes, from its own records: the steps (each step's milliseconds as recorded),
// the build outside the steps (opening the sandbox, counting the inputs, judging the SQL, the step
// records), the tests (the log line before them to the publish event, whose time is its
// transaction's start) and the publish (that transaction to the log line after it); the rest is
// planning the reads, staging, the run's records and its OpenLineage events.
//
// Run after `npx tsc -b` (the input is generated once into bench/.data/, gitignored):
//   npx vite-node bench/pipelines/pipeline-10m.bench.ts
//   QUANTA_BENCH_PIPELINE=customers QUANTA_BENCH_ROUNDS=5 npx vite-node bench/pipelines/pipeline-10m.bench.ts
//   QUANTA_BENCH_ROWS=1000000 …   (a smaller input, its own file)
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  benchPipelines,
  customersOwner,
  dist,
  handWritten,
  median,
  ordersFiles,
  ordersOwner,
  pipelineFiles,
  root,
} from "./mesh.js";

const rows = Number(process.env.QUANTA_BENCH_ROWS ?? 10_000_000);
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 3);
if (!Number.isSafeInteger(rows) || rows < 10_000) throw new Error("QUANTA_BENCH_ROWS: at least 10000");
const pipeline = benchPipelines[process.env.QUANTA_BENCH_PIPELINE ?? "cohorts"];
if (!pipeline) throw new Error(`QUANTA_BENCH_PIPELINE: one of ${Object.keys(benchPipelines).join(", ")}`);
const product = pipeline.productId;

type Platform = typeof import("../../packages/platform/src/index.js");
const platform = (await import(dist("platform"))) as Platform;
const { runPipeline, defaultPipelineRunLimits } = (await import(
  dist("platform", "pipelines/run-pipeline.js")
)) as typeof import("../../packages/platform/src/pipelines/run-pipeline.js");
const { PipelineRunStore } = (await import(
  dist("platform", "pipelines/pipeline-run-store.js")
)) as typeof import("../../packages/platform/src/pipelines/pipeline-run-store.js");
const { publishData } = (await import(
  dist("platform", "lake/publish-data.js")
)) as typeof import("../../packages/platform/src/lake/publish-data.js");

/** The input, once: the contract-test benchmark's orders generator (same rows, same file). */
process.env.QUANTA_BENCH_ROWS = String(rows);
const { generate } = (await import(join(root, "bench", "contract-test", "generate.mjs"))) as {
  generate: () => Promise<string>;
};
const input = await generate();

const work = mkdtempSync(join(tmpdir(), "quanta-bench-pipeline-"));
const db = await platform.openDatabase({ dataDir: join(work, "metadata") });
const registry = new platform.Registry(db);
const locator = new platform.DataLocator(join(work, "data"));
const harness = new platform.Harness({ db, registry, locator });
const errors: unknown[] = [];
const app = platform.createApp({ registry, harness, logError: (e) => errors.push(e) });
const identity = new platform.IdentityStore(db);

/** A team owner with an API token (teams are created when missing). */
async function owner(username: string, team: string): Promise<Record<string, string>> {
  const user = await identity.users.createUser({ username, roles: ["consumer"] });
  if (!(await identity.teams.teamExists(team)))
    await new platform.TeamRepository(db).ensureTeam({ id: team, name: team });
  await identity.teams.setTeamMember(team, user.id, "owner");
  const { token } = await identity.tokens.createToken(user.id, { name: "bench" });
  return { authorization: `Bearer ${token}`, "content-type": "application/json" };
}
const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const res = await app.request(path, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

const samples = { hand: [] as number[], run: [] as number[], handCpu: [] as number[], runCpu: [] as number[] };
/** CPU milliseconds of this process (DuckDB's threads, PGlite, the platform) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};
const parts: Record<string, number[]> = {};
const part = (name: string, ms: number) => {
  parts[name] ??= [];
  parts[name].push(ms);
};
let rowsOut = 0;
let checks = 0;
try {
  await registry.publish({ files: ordersFiles, publishedBy: "bench" });
  await registry.publish({ files: pipelineFiles(pipeline), publishedBy: "bench" });
  const ordersTeam = await owner(ordersOwner, "orders-team");
  const customersTeam = await owner(customersOwner, "customers-team");
  const asked = await call("POST", "/api/access-requests", customersTeam, {
    productId: "bench.orders",
    port: "orders",
    consumerTeam: "customers-team",
    purpose: "Customer figures for the pipeline benchmark",
  });
  await call("POST", `/api/access-requests/${asked.id}/approve`, ordersTeam, {});
  const uploaded = performance.now();
  const published = await publishData(db, locator.lake, {
    productId: "bench.orders",
    port: "orders",
    format: "parquet",
    body: createReadStream(input),
    length: statSync(input).size,
    actor: ordersOwner,
  });
  console.log(
    `pipeline-10m (${pipeline.productId}, ${pipeline.steps.length} steps): input ${published.rows.toLocaleString("en-US")} rows (${(published.bytes / 1e6).toFixed(0)} MB) published as version ${published.version} in ${((performance.now() - uploaded) / 1000).toFixed(1)} s; ${rounds} rounds; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const runs = new PipelineRunStore(db);
  // The upload queued a run of the downstream pipeline (its upstream trigger; no worker runs its
  // job here): it runs now, untimed, as the warm-up.
  const triggered = await runs.open(product);
  if (triggered) {
    const warm = await runPipeline(db, locator, triggered.id, product);
    if (warm.status !== "succeeded") throw new Error(`warm-up run ${triggered.id} ${warm.status}: ${warm.reason}`);
  }
  const handDir = join(work, "hand");
  mkdirSync(handDir);
  for (let r = 1; r <= rounds; r++) {
    // By hand: a fresh DuckDB, the same SQL, one COPY.
    const out = join(handDir, `output-${r}.parquet`);
    const handCpu = process.cpuUsage();
    const handStart = performance.now();
    const instance = await DuckDBInstance.create(":memory:", { threads: String(defaultPipelineRunLimits.threads) });
    const conn = await instance.connect();
    const copied = await conn.runAndReadAll(handWritten(pipeline, input, out));
    conn.closeSync();
    instance.closeSync();
    samples.hand.push(performance.now() - handStart);
    samples.handCpu.push(cpuSince(handCpu));
    const handRows = Number(copied.getRows()[0]?.[0] ?? 0);

    // Through the platform: a run record, then the run as the job worker runs it.
    const run = await runs.create({
      productId: product,
      productVersion: "1.0.0",
      trigger: "manual",
      requestedBy: customersOwner,
    });
    const runCpu = process.cpuUsage();
    const runStart = performance.now();
    const ran = await runPipeline(db, locator, run.id, product);
    const runMs = performance.now() - runStart;
    samples.runCpu.push(cpuSince(runCpu));
    if (ran.status !== "succeeded") throw new Error(`run ${run.id} ${ran.status}: ${ran.reason}`);
    samples.run.push(runMs);
    const output = ran.outputs[0];
    rowsOut = output?.rowsOut ?? 0;
    checks = output?.tests?.checks.length ?? 0;
    if (rowsOut !== handRows) throw new Error(`the run wrote ${rowsOut} rows, the SQL by hand ${handRows}`);

    const detail = await runs.get(product, run.id);
    const logs = await runs.logs(run.id);
    const at = (text: string) => {
      const line = logs.find((l) => l.message.includes(text));
      if (!line) throw new Error(`run ${run.id} logged no line with "${text}"`);
      return new Date(line.at).getTime();
    };
    const events = await new platform.EventLog(db).list({ subject: product });
    const publishedAt = new Date(
      events.find((e) => e.type === "port.version.published" && (e.payload as { run?: number }).run === run.id)
        ?.at as string,
    ).getTime();
    const stepMs = (detail?.steps ?? []).map((s) => s.ms ?? 0);
    const build = at("written; testing contract") - at("staged version");
    for (const [i, s] of (detail?.steps ?? []).entries()) part(`step ${i + 1} ${s.name}`, stepMs[i] ?? 0);
    part("build outside the steps", build - stepMs.reduce((a, b) => a + b, 0));
    part("tests", publishedAt - at("written; testing contract"));
    part("publish", at("passed its tests and is current") - publishedAt);
    part("rest (plans, records, events)", runMs - (at("passed its tests and is current") - at("staged version")));
    console.log(
      `  round ${r}: by hand ${(samples.hand.at(-1) as number).toFixed(0)} ms (CPU ${(samples.handCpu.at(-1) as number).toFixed(0)}), run ${runMs.toFixed(0)} ms (CPU ${(samples.runCpu.at(-1) as number).toFixed(0)}): ${(runMs / (samples.hand.at(-1) as number)).toFixed(2)}×; steps ${stepMs.join(" + ")} ms, build ${build} ms`,
    );
  }
  const hand = median(samples.hand);
  const run = median(samples.run);
  const line = (name: string, ms: number) =>
    `  ${name.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(rows / (ms / 1000))
      .toLocaleString("en-US")
      .padStart(11)} rows/s`;
  console.log(
    `\nmedians, ${rows.toLocaleString("en-US")} rows in, ${rowsOut.toLocaleString("en-US")} rows out, ${checks} checks:`,
  );
  console.log(line("SQL by hand (COPY … TO parquet)", hand));
  console.log(`${line("pipeline run (runPipeline)", run)}  ${(run / hand).toFixed(2)}× by hand`);
  console.log("  of which (medians of each part):");
  for (const [name, ms] of Object.entries(parts))
    console.log(`    ${name.padEnd(32)} ${(median(ms) / 1000).toFixed(2).padStart(7)} s`);
  const ratios = samples.run.map((ms, i) => ms / (samples.hand[i] as number));
  const cpuRatio = median(samples.runCpu) / median(samples.handCpu);
  console.log(
    `  CPU: by hand ${(median(samples.handCpu) / 1000).toFixed(2)} s, run ${(median(samples.runCpu) / 1000).toFixed(2)} s: ${cpuRatio.toFixed(2)}×`,
  );
  // The verdict: the median of the rounds' ratios (each run against the SQL by hand just before
  // it), which a burst of other load on the machine moves less than a ratio of two medians.
  console.log(
    `\n${median(ratios) <= 1.3 ? "PASS" : "FAIL"} goal ≤ 1.3×: ${median(ratios).toFixed(2)}× (median of the rounds: ${ratios.map((x) => x.toFixed(2)).join(", ")}); medians' ratio ${(run / hand).toFixed(2)}×, CPU ${cpuRatio.toFixed(2)}×`,
  );
  if (errors.length > 0) throw errors[0];
} finally {
  await db.close();
  rmSync(work, { recursive: true, force: true });
}
