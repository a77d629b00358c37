// Time from a bad batch landing to its signed webhook delivered (issue 17, goal p95 ≤ 5 s): the
// platform as `quanta serve` runs it (startPlatform: PGlite on disk, the HTTP server, the job
// worker), `bench.orders` published by `PUT /api/products/bench.orders/ports/orders/data` over a
// real socket, `bench.cohorts` built by its pipeline from that port under an approved agreement,
// and a webhook of each owner team pointing at a receiver in this process. Each round injects:
//
//   landed    a tenth of the usual orders: it passes the contract, becomes current, and its
//             contract test (queued with the version) finds the volume anomaly;
//   refused   orders with negative amounts: the upload's gate refuses it (422) and opens the incident;
//   pipeline  orders that are all cancelled: they land, the cohorts pipeline runs on them, and its
//             output (no rows) fails the cohorts contract, refused, opening the cohorts' incident.
//
// Each is measured from the PUT being sent (the upload and its gate test included) to the
// `incident.opened` CloudEvent arriving, signed (the signature is verified); the time after the
// PUT's answer is printed beside it. Good orders then land to resolve the incidents; the baseline
// is that good landing's own latency, from the PUT being sent to its contract test recorded
// (landing + test, no webhook). A fault seen again within the incident cool-down (1 h) reopens the incident without a
// new alert, by design, so between rounds the resolved incidents are dated back two hours.
//
// QUANTA_BENCH_STORE=postgres: the same on a throwaway PostgreSQL server instead of PGlite, where
// the worker's claim runs on a connection of its own (it sees a job only once it committed).
//
// Run after `npx tsc -b`:
//   npx vite-node bench/observability/alert-latency.bench.ts
//   QUANTA_BENCH_ROUNDS=20 npx vite-node bench/observability/alert-latency.bench.ts
//   QUANTA_BENCH_STORE=postgres npx vite-node bench/observability/alert-latency.bench.ts
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
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
} from "../pipelines/mesh.js";

const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 10);
if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error("QUANTA_BENCH_ROUNDS: at least 1");
const inputRows = 10_000;
const goalMs = 5_000;
const onPostgres = process.env.QUANTA_BENCH_STORE === "postgres";
if (process.env.QUANTA_BENCH_STORE && !onPostgres) throw new Error("QUANTA_BENCH_STORE: postgres, or unset for PGlite");

type Platform = typeof import("../../packages/platform/src/index.js");
const platform = (await import(dist("platform"))) as Platform;

process.env.QUANTA_BENCH_ROWS = String(inputRows);
const { generate } = (await import(join(root, "bench", "contract-test", "generate.mjs"))) as {
  generate: () => Promise<string>;
};
const input = await generate();
const pipeline = benchPipelines.cohorts as (typeof benchPipelines)[string];
const work = mkdtempSync(join(tmpdir(), "quanta-bench-alert-"));

/** The good orders and the three faults, written by DuckDB from the generated orders. */
async function batches(): Promise<Record<"good" | "landed" | "refused" | "pipeline", Buffer>> {
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  const src = `read_parquet('${input}')`;
  const sql = {
    good: `SELECT * FROM ${src}`,
    landed: `SELECT * FROM ${src} ORDER BY order_id LIMIT ${inputRows / 10}`,
    refused: `SELECT * REPLACE (-amount - 1 AS amount) FROM ${src}`,
    pipeline: `SELECT * REPLACE ('cancelled' AS status) FROM ${src}`,
  };
  const out = {} as Record<keyof typeof sql, Buffer>;
  try {
    for (const [name, q] of Object.entries(sql)) {
      const file = join(work, `${name}.parquet`);
      await conn.run(`COPY (${q}) TO '${file}' (FORMAT parquet)`);
      out[name as keyof typeof sql] = readFileSync(file);
    }
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
  return out;
}

/** What the receiver got: every signed delivery, when it arrived. */
interface Delivery {
  at: number;
  verified: boolean;
  type: string;
  data: Record<string, unknown>;
}
const deliveries: Delivery[] = [];
const secrets = new Set<string>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString("utf8");
    const signed = `${req.headers["webhook-id"]}.${req.headers["webhook-timestamp"]}.${body}`;
    const given = String(req.headers["webhook-signature"] ?? "").split(" ");
    const verified = [...secrets].some((s) =>
      given.includes(
        `v1,${createHmac("sha256", Buffer.from(s.replace(/^whsec_/, ""), "base64"))
          .update(signed)
          .digest("base64")}`,
      ),
    );
    const event = JSON.parse(body) as { type: string; data?: Record<string, unknown> };
    deliveries.push({ at, verified, type: event.type, data: event.data ?? {} });
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

let stopPostgres = async () => {};
let store: { dataDir: string } | { url: string } = { dataDir: join(work, "server") };
if (onPostgres) {
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
  dataDir: join(work, "data"),
  storageRoot: join(work, "lake"),
  webhookAllowedNetworks: ["127.0.0.0/8"],
});
const { db } = server;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

try {
  const files = await batches();
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
    purpose: "Cohorts for the alert-latency benchmark",
  });
  await post(`/api/access-requests/${asked.id}/approve`, ordersToken, {});
  for (const [team, token] of [
    ["orders-team", ordersToken],
    ["customers-team", customersToken],
  ] as const)
    secrets.add(String((await post(`/api/teams/${team}/webhooks`, token, { url: hookUrl })).secret));

  const testsOf = async (productId: string) =>
    Number(
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM test_runs WHERE product_id = $1 AND finished_at IS NOT NULL",
          [productId],
        )
      ).rows[0]?.n,
    );
  const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
      await sleep(5);
    }
  };
  const land = async (file: Buffer) => {
    const sent = performance.now();
    const res = await fetch(`${server.url}/api/products/bench.orders/ports/orders/data`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ordersToken}`, "content-type": "application/vnd.apache.parquet" },
      body: new Uint8Array(file),
    });
    const answered = performance.now();
    await res.arrayBuffer();
    return { status: res.status, sent, answered };
  };
  const active = async () =>
    Number(
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM incidents WHERE state <> 'resolved'")).rows[0]?.n,
    );
  const pipelineIdle = async () =>
    Number(
      (
        await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pipeline_runs WHERE status IN ('queued', 'running', 'retrying')",
        )
      ).rows[0]?.n,
    ) === 0;

  /** Good orders: landed, tested, and the pipeline run they trigger ended; answers the landing's latency. */
  const landGood = async () => {
    const before = await testsOf("bench.orders");
    const { status, sent } = await land(files.good);
    if (status !== 201) throw new Error(`good orders: ${status}`);
    await until("the good orders' contract test", async () =>
      (await testsOf("bench.orders")) > before ? true : undefined,
    );
    const tested = performance.now() - sent;
    await until("the pipeline runs to end", async () => ((await pipelineIdle()) ? true : undefined));
    return tested;
  };

  console.log(
    `alert-latency (one replica, ${onPostgres ? "PostgreSQL" : "PGlite"}): ${rounds} rounds of 3 faults on bench.orders (${inputRows.toLocaleString("en-US")} orders) and its pipeline ${pipeline.productId}; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  // The volume detector's history: seven points at least.
  for (let i = 0; i < 8; i++) await landGood();

  const cases = [
    { name: "landed", file: files.landed, status: 201, productId: "bench.orders", kind: "volume-anomaly" },
    { name: "refused", file: files.refused, status: 422, productId: "bench.orders", kind: "check-failed" },
    { name: "pipeline", file: files.pipeline, status: 201, productId: pipeline.productId, kind: "check-failed" },
  ] as const;
  const latencies: Record<string, number[]> = { landed: [], refused: [], pipeline: [] };
  const afterAnswer: Record<string, number[]> = { landed: [], refused: [], pipeline: [] };
  const baseline: number[] = [];
  const unsigned: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    const row: string[] = [];
    for (const c of cases) {
      const { status, sent, answered } = await land(c.file);
      if (status !== c.status) throw new Error(`round ${round} ${c.name}: ${status}, expected ${c.status}`);
      const got = await until(`round ${round}: the ${c.name} incident's webhook`, () =>
        deliveries.find(
          (d) =>
            d.at >= sent &&
            d.type.endsWith("incident.opened") &&
            d.data.productId === c.productId &&
            d.data.kind === c.kind,
        ),
      );
      if (!got.verified) unsigned.push(`round ${round} ${c.name}`);
      const ms = got.at - sent;
      latencies[c.name]?.push(ms);
      afterAnswer[c.name]?.push(got.at - answered);
      row.push(`${c.name} ${ms.toFixed(0)} ms (${(got.at - answered).toFixed(0)} after the answer)`);
      // Fixed: good orders again; the incidents resolve, and the next round may alert anew.
      baseline.push(await landGood());
      await until("the incidents resolved", async () => ((await active()) === 0 ? true : undefined));
      await db.query("UPDATE incidents SET resolved_at = resolved_at - interval '2 hours' WHERE state = 'resolved'");
    }
    console.log(`  round ${String(round).padStart(2)}: ${row.join(", ")}`);
  }

  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const base = median(baseline);
  console.log(
    `\nbaseline, good orders sent → landed and contract-tested (no webhook), ${baseline.length} landings: p50 ${s(base)}, p95 ${s(quantile(baseline, 0.95))}`,
  );
  console.log("bad batch sent (PUT) → signed incident.opened webhook delivered:");
  const all: number[] = [];
  for (const c of cases) {
    const xs = latencies[c.name] ?? [];
    all.push(...xs);
    console.log(
      `  ${c.name.padEnd(8)} p50 ${s(median(xs))}, p95 ${s(quantile(xs, 0.95))}, max ${s(Math.max(...xs))}; p50 ${(median(xs) / base).toFixed(2)}× the baseline (after the PUT's answer: p50 ${s(median(afterAnswer[c.name] ?? []))}, p95 ${s(quantile(afterAnswer[c.name] ?? [], 0.95))})`,
    );
  }
  if (unsigned.length > 0) console.log(`  deliveries whose signature did not verify: ${unsigned.join("; ")}`);
  const p95 = quantile(all, 0.95);
  console.log(
    `\n${p95 <= goalMs && unsigned.length === 0 ? "PASS" : "FAIL"} goal p95 ≤ 5 s: ${s(p95)} over all faults`,
  );
} finally {
  await server.close();
  await stopPostgres();
  await new Promise((r) => receiver.close(r));
  rmSync(work, { recursive: true, force: true });
}
