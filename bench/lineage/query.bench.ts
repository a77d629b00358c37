// Lineage query latency (issue 16): `LineageService.graph` (what GET /api/lineage answers) at depth
// 5, upstream and downstream, on a generated mesh of 10,000 products and 1,000,000 column edges
// (mesh.ts), from 200 nodes of every layer and kind (product, port, column), for a signed-in user.
// Baselines in the same run, interleaved node by node: one recursive CTE doing the same walk in
// one statement (no caps, no per-level dedupe), and one single-level SELECT of the node's edges (a
// round trip to the store). Goal: p95 ≤ 50 ms, on PGlite (on disk) and on PostgreSQL.
//   npx vite-node bench/lineage/query.bench.ts
//   QUANTA_BENCH_STORES=pglite QUANTA_BENCH_SAMPLES=400 npx vite-node bench/lineage/query.bench.ts
//   QUANTA_BENCH_DATABASE_URL=postgres://… (an empty database of your own instead of a throwaway server)
// The PGlite store is generated once into bench/.data/lineage/ (≈ minutes) and reused while there.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testIdentity } from "../../packages/platform/src/identity/identity-fixtures.js";
import { IdentityStore } from "../../packages/platform/src/identity/identity-store.js";
import type { Principal } from "../../packages/platform/src/identity/principal.js";
import { type LineageDirection, LineageService } from "../../packages/platform/src/lineage/lineage-service.js";
import type { Database } from "../../packages/platform/src/storage/database.js";
import { openDatabase } from "../../packages/platform/src/storage/open-database.js";
import { findPostgresBin, startPostgres } from "../../packages/testing/src/postgres-server.js";
import { generateMesh, layers, meshVersion, perLayer } from "./mesh.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const stores = (process.env.QUANTA_BENCH_STORES ?? "pglite,postgres").split(",");
const sampleCount = Number(process.env.QUANTA_BENCH_SAMPLES ?? 200);
const depth = 5;
const goalMs = 50;
const maxEdges = 2000;

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Nodes of every layer and kind, spread by a hash: products, their first port, a column of it. */
function sampleNodes(count: number): { node: string; layer: number; kind: string }[] {
  const out: { node: string; layer: number; kind: string }[] = [];
  for (let s = 0; out.length < count; s++) {
    const layer = s % layers;
    // Skewed like the mesh's reads: lineage is asked most about the products most read.
    const i = Math.floor(perLayer * (((s * 2654435761 + 40503) % 4294967291) / 4294967291) ** 2);
    const product = `l${layer}-p${String(i).padStart(4, "0")}`;
    const kind = ["product", "port", "column"][Math.floor(s / layers) % 3] as string;
    const node =
      kind === "product"
        ? `product:${product}`
        : kind === "port"
          ? `port:${product}/out0`
          : `column:${product}/out0/out0.c${s % 6}`;
    out.push({ node, layer, kind });
  }
  return out;
}

/** The same walk as one recursive CTE: every node within `depth`, then the edges that reach them. */
const cte = (direction: LineageDirection) => {
  const [near, far] = direction === "upstream" ? ["to_node", "from_node"] : ["from_node", "to_node"];
  return `WITH RECURSIVE walk(node, depth) AS (
      SELECT $1::text, 0
      UNION
      SELECT e.${far}, w.depth + 1 FROM walk w JOIN lineage_edges e ON e.${near} = w.node WHERE w.depth < $2
    )
    SELECT from_node, to_node, origin, details, first_seen, last_seen FROM lineage_edges
    WHERE ${near} IN (SELECT node FROM walk WHERE depth < $2) LIMIT ${maxEdges + 1}`;
};
const single = (direction: LineageDirection) =>
  `SELECT from_node, to_node, origin, details, first_seen, last_seen FROM lineage_edges
   WHERE ${direction === "upstream" ? "to_node" : "from_node"} = $1`;

async function openStore(name: string): Promise<{ db: Database; stop(): Promise<void> } | string> {
  const t = performance.now();
  if (name === "pglite") {
    const dir = join(root, "bench", ".data", "lineage", `pglite-mesh-v${meshVersion}`);
    const loaded = join(dir, "loaded");
    if (!existsSync(loaded)) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const db = await openDatabase({ dataDir: dir });
      const counts = await generateMesh(db, { autovacuum: false });
      console.log(`PGlite: generated ${JSON.stringify(counts)} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      await db.close();
      writeFileSync(loaded, new Date().toISOString());
    }
    const db = await openDatabase({ dataDir: dir });
    return { db, stop: () => db.close() };
  }
  if (name === "postgres") {
    let url = process.env.QUANTA_BENCH_DATABASE_URL;
    let stopServer = async () => {};
    if (!url) {
      if (!findPostgresBin()) return "no PostgreSQL server binaries (apt-get install postgresql)";
      const server = await startPostgres();
      url = server.url;
      stopServer = () => server.stop();
    }
    const db = await openDatabase({ url });
    const counts = await generateMesh(db, { autovacuum: true });
    console.log(`PostgreSQL: generated ${JSON.stringify(counts)} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    return {
      db,
      async stop() {
        await db.close();
        await stopServer();
      },
    };
  }
  return `unknown store "${name}" (pglite, postgres)`;
}

interface Timing {
  graph: number;
  cte: number;
  single: number;
  nodes: number;
  edges: number;
  truncated: boolean;
  kind: string;
  layer: number;
}

async function measure(db: Database, principal: Principal, direction: LineageDirection): Promise<Timing[]> {
  const service = new LineageService(db);
  const samples = sampleNodes(sampleCount);
  // Warm up outside the clock: plans, caches, the first pages of the indexes.
  for (const s of samples.slice(0, 10)) {
    await service.graph(principal, s.node, direction, depth);
    await db.query(cte(direction), [s.node, depth]);
  }
  const out: Timing[] = [];
  for (const s of samples) {
    let t = performance.now();
    const g = await service.graph(principal, s.node, direction, depth);
    const graph = performance.now() - t;
    t = performance.now();
    await db.query(cte(direction), [s.node, depth]);
    const walk = performance.now() - t;
    t = performance.now();
    await db.query(single(direction), [s.node]);
    const one = performance.now() - t;
    out.push({
      graph,
      cte: walk,
      single: one,
      nodes: g.nodes.length,
      edges: g.edges.length,
      truncated: g.truncated,
      kind: s.kind,
      layer: s.layer,
    });
  }
  return out;
}

const verdicts: string[] = [];
console.log(`load average ${loadavg()[0]?.toFixed(1)}; ${sampleCount} nodes a direction, depth ${depth}`);
for (const name of stores) {
  const store = await openStore(name);
  if (typeof store === "string") {
    console.log(`${name}: skipped, ${store}`);
    verdicts.push(`${name}: skipped (${store})`);
    continue;
  }
  try {
    const { rows } = await store.db.query<{ origin: string; n: number }>(
      "SELECT origin, count(*)::int AS n FROM lineage_edges GROUP BY origin ORDER BY origin",
    );
    console.log(`\n${name}: ${rows.map((r) => `${r.n.toLocaleString("en")} ${r.origin}`).join(", ")} edges`);
    const identity = new IdentityStore(store.db);
    const user = (await testIdentity(identity, { username: "lineage-bench@example.com" })).user;
    const principal = await identity.users.principal(user.id);
    for (const direction of ["upstream", "downstream"] as const) {
      const ts = await measure(store.db, principal, direction);
      const p = (f: (t: Timing) => number, q: number) => quantile(ts.map(f), q);
      const p95 = p((t) => t.graph, 0.95);
      console.log(
        `${name} ${direction}: graph p50 ${ms(p((t) => t.graph, 0.5))}, p95 ${ms(p95)}, max ${ms(p((t) => t.graph, 1))}` +
          ` | recursive CTE p50 ${ms(p((t) => t.cte, 0.5))}, p95 ${ms(p((t) => t.cte, 0.95))}` +
          ` | single-level SELECT p50 ${ms(p((t) => t.single, 0.5))}, p95 ${ms(p((t) => t.single, 0.95))}`,
      );
      console.log(
        `  ratios (p95): ${(p95 / p((t) => t.cte, 0.95)).toFixed(2)}× the CTE, ${(p95 / p((t) => t.single, 0.95)).toFixed(1)}× the single SELECT;` +
          ` nodes p50 ${p((t) => t.nodes, 0.5)}, p95 ${p((t) => t.nodes, 0.95)}; edges p50 ${p((t) => t.edges, 0.5)}; truncated ${ts.filter((t) => t.truncated).length}/${ts.length}`,
      );
      for (const kind of ["product", "port", "column"]) {
        const k = ts.filter((t) => t.kind === kind);
        console.log(
          `  ${kind}: graph p95 ${ms(
            quantile(
              k.map((t) => t.graph),
              0.95,
            ),
          )}, nodes p50 ${quantile(
            k.map((t) => t.nodes),
            0.5,
          )}, max ${quantile(
            k.map((t) => t.nodes),
            1,
          )}`,
        );
      }
      const byLayer = Array.from({ length: layers }, (_, l) => {
        const k = ts.filter((t) => t.layer === l);
        return `${l}: ${quantile(
          k.map((t) => t.nodes),
          0.5,
        )}`;
      });
      console.log(`  nodes p50 by layer ${byLayer.join(", ")}`);
      verdicts.push(`${name} ${direction}: p95 ${ms(p95)} — ${p95 <= goalMs ? "PASS" : "FAIL"} (goal ≤ ${goalMs} ms)`);
    }
  } finally {
    await store.stop();
  }
}
console.log(`\n${verdicts.join("\n")}`);
