// Cold start of `quanta serve --demo`: from spawning the built console to the first 200 from
// /api/health, with the demo mesh already published in the data directory (a first, warm-up start
// publishes it). Baseline in the same run, interleaved: a bare `node -e` http server to its first
// 200, i.e. what starting any Node server costs on this machine right now.
// Run after `npx tsc -b`:   node bench/platform/cold-start.mjs      (QUANTA_BENCH_ROUNDS=5)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fmt, machine, median, root, verdict } from "./stats.mjs";

const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 5);
const goalMs = 3000;
const quanta = join(root, "packages", "cli", "bin", "quanta.js");

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function healthy(port, path = "/api/health", timeoutMs = 1000) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.setTimeout(timeoutMs, () => req.destroy());
  });
}

/**
 * Spawns `args`, polls /api/health every 10 ms; ms from spawn to the first 200, then stops it. With
 * `catalogue`, also ms to the first 200 of GET /api/products (the demo published, the whole app up).
 */
async function timeToFirst200(args, port, limitMs = 120_000, catalogue = false) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => {
    err = (err + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    for (;;) {
      if (await healthy(port)) {
        const health = performance.now() - started;
        if (!catalogue) return health;
        // Asked once: the server holds it until the catalogue is complete.
        if (!(await healthy(port, "/api/products", 60_000))) throw new Error(`GET /api/products failed\n${err}`);
        return { health, catalogue: performance.now() - started };
      }
      if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited ${child.exitCode}\n${err}`);
      if (performance.now() - started > limitMs) throw new Error(`no 200 from /api/health in ${limitMs} ms\n${err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "quanta-bench-cold-"));
const serve = (port) => [
  quanta,
  "serve",
  "--demo",
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  "--data-dir",
  dataDir,
];
const bare = (port) => ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`];
const samples = { quanta: [], bare: [], catalogue: [] };
try {
  // The first, warm-up start publishes the demo mesh into the data directory.
  const port = await freePort();
  const first = await timeToFirst200(serve(port), port);
  console.log(`first start (publishes the demo mesh): ${fmt(first)} ms`);
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2 === 0 ? ["quanta", "bare"] : ["bare", "quanta"]) {
      const p = await freePort();
      if (side === "bare") samples.bare.push(await timeToFirst200(bare(p), p));
      else {
        const t = await timeToFirst200(serve(p), p, 120_000, true);
        samples.quanta.push(t.health);
        samples.catalogue.push(t.catalogue);
      }
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const q = median(samples.quanta);
const b = median(samples.bare);
console.log(`\ncold start to the first 200 from /api/health (median of ${rounds} interleaved rounds; ${machine()})`);
console.log(`  baseline: node -e http server  ${fmt(b).padStart(7)} ms   (all: ${samples.bare.map(fmt).join(", ")})`);
console.log(
  `  quanta serve --demo            ${fmt(q).padStart(7)} ms   (all: ${samples.quanta.map(fmt).join(", ")})   ${(q / b).toFixed(1)}× the baseline`,
);
const c = median(samples.catalogue);
console.log(
  `  … first 200 of GET /api/products  ${fmt(c).padStart(7)} ms   (all: ${samples.catalogue.map(fmt).join(", ")})   demo published, whole app up`,
);
console.log(`goal: ≤ ${goalMs} ms: ${verdict(q <= goalMs)}`);
