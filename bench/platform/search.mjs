// Search latency of the registry at 10,000 and 100,000 products, on PGlite and on PostgreSQL.
// Run after `npx tsc -b`:   node bench/platform/search.mjs
//   QUANTA_BENCH_SIZES=10000,100000  QUANTA_BENCH_STORES=pglite,postgres  QUANTA_BENCH_ROUNDS=10
// Products are generated (deterministic) and stored with the same record builder and INSERT the
// publish path uses (searchText/summaryOf, ProductRepository.insert), so the search columns and the
// generated tsvector are what a publish writes. The PGlite store is kept under bench/.data/platform
// and reused; the PostgreSQL server is a throwaway one (@quanta/testing) loaded on every run.
// Baselines in the same run, interleaved with the searches: a primary-key lookup of one product on
// the same store (service level) and GET /api/health, which runs SELECT 1 (HTTP level).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { domains, generateProduct, rareWords } from "./generate-products.mjs";
import { built, dataRoot, fmt, machine, percentile, ratio, timed, verdict } from "./stats.mjs";

const sizes = (process.env.QUANTA_BENCH_SIZES ?? "10000,100000").split(",").map(Number);
const stores = (process.env.QUANTA_BENCH_STORES ?? "pglite,postgres").split(",");
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 10);
const goalP95Ms = 20;
/** Measuring stops after this many seconds per store and size, whatever the rounds (bounded run). */
const budgetS = Number(process.env.QUANTA_BENCH_BUDGET_S ?? 120);
/** `--load`: only generate and store the products (the PGlite stores are kept for later runs). */
const loadOnly = process.argv.includes("--load");

const platform = await built("platform");
const { searchText, summaryOf } = await built("platform", "registry/search-text.js");
const { serve } = await import("@hono/node-server");

/** What a user types, by kind; every kind is measured on its own and in the mix. */
const queries = {
  "name word": ["inventory", "temperature", "shipments"],
  typo: ["temprature", "shipmnets", "invoces"],
  "short typo": ["sea levl", "sealevel", "see level"],
  tag: ["gdpr", "sustainability", "topic-42"],
  property: ["net_amount", "customer_id", "station temperature_c"],
  "rare word": [rareWords[0], rareWords[7], rareWords[12]],
  "two words": ["daily orders", "sea level", "customer churn"],
};
const mix = Object.entries(queries).flatMap(([kind, qs]) => qs.map((q) => ({ kind, q })));

// The heap (with typed arrays) after a full collection (the flag is set at run time, so `node search.mjs` is enough).
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc");
function settledHeap() {
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const slug = (text) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The record publish builds from a product and its contracts (publish-product.ts). */
function record({ product, contract }) {
  return {
    id: product.id,
    name: product.name,
    version: product.version,
    status: product.status,
    domainId: product.domain,
    teamId: slug(product.team.name),
    summary: summaryOf(product),
    tags: product.tags,
    search: searchText(product, [contract]),
  };
}

async function load(db, n) {
  const started = performance.now();
  await db.transaction(async (tx) => {
    const teams = new platform.TeamRepository(tx);
    for (const d of domains) await teams.ensureDomain(d);
  });
  const teamsSeen = new Set();
  const batch = 2000;
  for (let start = 0; start < n; start += batch) {
    await db.transaction(async (tx) => {
      const products = new platform.ProductRepository(tx);
      const teams = new platform.TeamRepository(tx);
      for (let i = start; i < Math.min(n, start + batch); i++) {
        const r = record(generateProduct(i));
        if (!teamsSeen.has(r.teamId)) {
          teamsSeen.add(r.teamId);
          await teams.ensureTeam({ id: r.teamId, name: r.teamId, domainId: r.domainId });
        }
        await products.insert(r);
      }
    });
    if ((start / batch) % 10 === 9) process.stderr.write(`  loaded ${start + batch} of ${n}\n`);
  }
  return performance.now() - started;
}

/** A PGlite store of n products, kept between runs (a marker file says the load finished). */
async function openPglite(n) {
  const dir = join(dataRoot, `search-pglite-${n}`);
  const done = join(dir, "loaded");
  if (existsSync(done)) return { db: await platform.openDatabase({ dataDir: dir }), loadMs: undefined };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = await platform.openDatabase({ dataDir: dir });
  const loadMs = await load(db, n);
  writeFileSync(done, `${n} products\n`);
  return { db, loadMs };
}

async function openPostgres(n, server) {
  const db = await platform.openDatabase({ url: server.url });
  const loadMs = await load(db, n);
  // A server's autovacuum would analyze the freshly loaded table within a minute; do it now.
  await db.exec("ANALYZE");
  return { db, loadMs };
}

/** Fresh schema per size: drop every Quanta table so the next size starts empty. */
async function resetPostgres(url) {
  const db = await platform.openDatabase({ url });
  await db.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  await db.close();
}

async function measure(db, n) {
  const registry = new platform.Registry(db);
  const app = platform.createApp({ registry });
  const ids = Array.from({ length: 50 }, (_, k) => generateProduct(Math.floor((k * n) / 50)).product.id);
  const samples = { service: {}, http: {}, pk: [], health: [] };
  const hits = {};
  // What a process pays once: reading the catalogue into its search index, and the heap it keeps.
  const heapBefore = settledHeap();
  const indexing = await timed(() => registry.warmSearch());
  const index = { ms: indexing.ms, heapMb: (settledHeap() - heapBefore) / 2 ** 20 };
  const search = (q) => registry.search({ q, limit: 20, offset: 0 });
  const httpSearch = async (q) => {
    const res = await app.request(`/api/products?q=${encodeURIComponent(q)}`);
    if (res.status !== 200) throw new Error(`search "${q}": ${res.status} ${await res.text()}`);
    return res.json();
  };
  const pk = (id) => db.query("SELECT id, name, version, summary FROM data_products WHERE id = $1", [id]);
  const health = async () => {
    const res = await app.request("/api/health");
    if (res.status !== 200) throw new Error(`health: ${res.status}`);
    return res.json();
  };
  // One warm-up pass (plans, caches), then rounds alternating subject and baseline per query.
  const deadline = performance.now() + budgetS * 1000;
  for (const { q } of mix) {
    hits[q] = (await search(q)).total;
    if (performance.now() < deadline) await httpSearch(q);
  }
  let done = 0;
  for (let r = 0; r < rounds && performance.now() < deadline; r++, done++) {
    for (const [k, { kind, q }] of mix.entries()) {
      const id = ids[(r * mix.length + k) % ids.length];
      const pairs = [
        async () => {
          samples.service[kind] ??= [];
          samples.service[kind].push((await timed(() => search(q))).ms);
        },
        async () => samples.pk.push((await timed(() => pk(id))).ms),
        async () => {
          samples.http[kind] ??= [];
          samples.http[kind].push((await timed(() => httpSearch(q))).ms);
        },
        async () => samples.health.push((await timed(health)).ms),
      ];
      for (const step of (r + k) % 2 === 0 ? pairs : pairs.reverse()) await step();
    }
  }
  // Facet counts (the marketplace's filter lists) for every query of the mix: no goal, a figure.
  const facets = [];
  for (let r = 0; r < Math.max(1, Math.floor(done / 3)); r++) {
    for (const { q } of mix) facets.push((await timed(() => registry.facets({ q }))).ms);
  }
  // One figure over a real socket (loopback, keep-alive), mix against /api/health.
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const socket = { search: [], health: [] };
  const socketRounds = done === 0 ? 0 : Math.max(1, Math.floor(done / 2));
  for (let r = 0; r < socketRounds; r++) {
    for (const { q } of mix) {
      socket.search.push(
        (await timed(async () => (await fetch(`${base}/api/products?q=${encodeURIComponent(q)}`)).json())).ms,
      );
      socket.health.push((await timed(async () => (await fetch(`${base}/api/health`)).json())).ms);
    }
  }
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections?.();
  });
  return { samples, socket, hits, done, index, facets };
}

function report(store, n, loadMs, { samples, socket, hits, done, index, facets }) {
  const row = (label, xs, base) =>
    `  ${label.padEnd(22)} p50 ${fmt(percentile(xs, 50)).padStart(7)} ms  p95 ${fmt(percentile(xs, 95)).padStart(7)} ms  p99 ${fmt(percentile(xs, 99)).padStart(7)} ms` +
    (base
      ? `   p50 ${ratio(percentile(xs, 50), percentile(base, 50))} p95 ${ratio(percentile(xs, 95), percentile(base, 95))} of baseline`
      : "");
  console.log(
    `\n${store}, ${n.toLocaleString("en")} products${loadMs ? ` (loaded in ${(loadMs / 1000).toFixed(1)} s)` : " (stored)"}; ${done} of ${rounds} rounds; ${machine()}`,
  );
  console.log(
    `  search index: catalogue read in ${(index.ms / 1000).toFixed(1)} s, heap +${index.heapMb.toFixed(0)} MiB (once per process, ADR 0018)`,
  );
  console.log(`  matches: ${mix.map(({ q }) => `${q} ${hits[q]}`).join(", ")}`);
  console.log(" service (Registry.search, limit 20) vs primary-key lookup of one product:");
  console.log(row("baseline: pk lookup", samples.pk));
  for (const kind of Object.keys(queries)) console.log(row(kind, samples.service[kind], samples.pk));
  const service = Object.values(samples.service).flat();
  console.log(row("all kinds", service, samples.pk));
  console.log(" HTTP (app.request GET /api/products?q=) vs GET /api/health (SELECT 1):");
  console.log(row("baseline: health", samples.health));
  for (const kind of Object.keys(queries)) console.log(row(kind, samples.http[kind], samples.health));
  const http = Object.values(samples.http).flat();
  console.log(row("all kinds", http, samples.health));
  console.log(" facet counts (Registry.facets, every match of each query) vs primary-key lookup:");
  console.log(row("all kinds", facets, samples.pk));
  console.log(" real socket (127.0.0.1, keep-alive), all kinds vs /api/health:");
  console.log(row("baseline: health", socket.health));
  console.log(row("all kinds", socket.search, socket.health));
  const p95 = percentile(http, 95);
  return { store, n, p95 };
}

const results = [];
let pgServer;
try {
  for (const store of stores) {
    if (store === "postgres") {
      const { startPostgres, findPostgresBin } = await built("testing", "postgres-server.js");
      if (!findPostgresBin()) {
        console.log("\npostgres: skipped (PostgreSQL server binaries not installed: apt-get install postgresql)");
        continue;
      }
      pgServer = await startPostgres();
    }
    for (const n of sizes) {
      if (store === "postgres") await resetPostgres(pgServer.url);
      const { db, loadMs } = store === "pglite" ? await openPglite(n) : await openPostgres(n, pgServer);
      try {
        if (loadOnly) continue;
        results.push(report(store, n, loadMs, await measure(db, n)));
      } finally {
        await db.close();
      }
    }
    if (pgServer) {
      await pgServer.stop();
      pgServer = undefined;
    }
  }
} finally {
  await pgServer?.stop();
}

console.log(`\ngoal: search p95 ≤ ${goalP95Ms} ms at 100,000 products (HTTP, all kinds of query)`);
for (const r of results) {
  const judged = r.n >= 100_000 ? verdict(r.p95 <= goalP95Ms) : "(size below the goal's)";
  console.log(
    `  ${r.store.padEnd(9)} ${r.n.toLocaleString("en").padStart(8)} products  p95 ${fmt(r.p95)} ms  ${judged}`,
  );
}
