// API throughput of the platform server on loopback: product reads, small consume queries, and
// how fast a large consume streams. Run after `npx tsc -b`:   node bench/platform/throughput.mjs
//   QUANTA_BENCH_SECONDS=10 (per load run)  QUANTA_BENCH_ROUNDS=3  QUANTA_BENCH_CONNECTIONS=16
//   QUANTA_BENCH_ROWS=1000000 (weather readings generated for the consume figure)
// Load generator: `wrk` when installed (apt-get install wrk), else a small Node keep-alive client.
// Traffic goes to 127.0.0.1 only. Baselines in the same run, interleaved round by round: a bare
// Node http server answering "ok", and the platform's own GET /api/health (SELECT 1); for
// streaming, DuckDB reading the same parquet file in-process and turning the rows into JSON text.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { built, dataRoot, fmt, machine, median, root, verdict } from "./stats.mjs";

const seconds = Number(process.env.QUANTA_BENCH_SECONDS ?? 10);
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 3);
const connections = Number(process.env.QUANTA_BENCH_CONNECTIONS ?? 16);
const rowCount = Number(process.env.QUANTA_BENCH_ROWS ?? 1_000_000);
const goals = { productReadsPerS: 3000, consumeRowsPerS: 500_000 };
const productId = "climate.weather-station-readings";
const here = join(root, "bench", "platform");

/** The demo mesh with the weather readings at benchmark size (kept under bench/.data). */
async function prepareMesh() {
  const mesh = join(dataRoot, `mesh-${rowCount}`);
  const readings = join(mesh, "climate", "weather-station-readings");
  if (existsSync(join(mesh, "generated"))) return { mesh, parquet: join(readings, "data", "readings.parquet") };
  rmSync(mesh, { recursive: true, force: true });
  mkdirSync(mesh, { recursive: true });
  cpSync(join(root, "examples"), mesh, { recursive: true, filter: (src) => !src.endsWith(".parquet") });
  const { generateProductData } = await built("engine-duckdb");
  const started = performance.now();
  await generateProductData(readings, { rowCount, asOf: new Date() });
  console.log(
    `generated ${rowCount.toLocaleString("en")} weather readings in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  writeFileSync(join(mesh, "generated"), `${rowCount} readings\n`);
  return { mesh, parquet: join(readings, "data", "readings.parquet") };
}

/** Spawns a server process that prints its URL (or a JSON line with `url`) on stdout. */
function startServer(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => {
    err = (err + d).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s\n${err}`)), 120_000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes("http://"));
      if (!line) return;
      clearTimeout(timer);
      const info = line.trim().startsWith("{") ? JSON.parse(line) : { url: line.trim() };
      resolve({
        url: info.url,
        headers: info.token ? { authorization: `Bearer ${info.token}` } : {},
        log: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", done);
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}\n${err}`));
    });
  });
}

const hasWrk = spawnSync("wrk", ["--version"]).error === undefined;
const toMs = (v, unit) => Number(v) * { us: 1e-3, ms: 1, s: 1000 }[unit];

/** wrk for `seconds` with `connections`; POST bodies through a Lua script. */
function wrk(url, body, headers = {}) {
  const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", url];
  for (const [k, v] of Object.entries(headers)) args.unshift("-H", `${k}: ${v}`);
  let script;
  if (body) {
    script = join(tmpdir(), `quanta-bench-${process.pid}.lua`);
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
    );
    args.unshift("-s", script);
  }
  const r = spawnSync("wrk", args, { encoding: "utf8" });
  if (script) rmSync(script, { force: true });
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([0-9.]+)(us|ms|s)`).exec(r.stdout);
    return m ? toMs(m[1], m[2]) : Number.NaN;
  };
  const bad = Number(/Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(r.stdout)?.[1];
  if (bad > 0 || errors)
    console.error(`  wrk ${url}: ${bad} non-2xx responses${errors ? `, socket errors ${errors}` : ""}`);
  return { rps: Number(/Requests\/sec:\s+([0-9.]+)/.exec(r.stdout)?.[1]), p50: pct(50), p99: pct(99), bad };
}

/** The fallback load generator: `connections` keep-alive loops for `seconds`. */
async function nodeLoad(url, body, headers = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = [];
  let bad = 0;
  const end = performance.now() + seconds * 1000;
  const once = () =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.request(
        url,
        {
          agent,
          method: body ? "POST" : "GET",
          headers: body ? { ...headers, "content-type": "application/json" } : headers,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if (res.statusCode !== 200) bad++;
            latencies.push(performance.now() - start);
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) await once();
    }),
  );
  agent.destroy();
  const { percentile } = await import("./stats.mjs");
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), bad };
}

const load = (url, body, headers) => (hasWrk ? wrk(url, body, headers) : nodeLoad(url, body, headers));

/**
 * Streams one consume on a fresh connection and counts its rows: JSON by its trailing rowCount, CSV
 * by lines, Arrow by reading the IPC stream back once it has arrived (outside the timed part).
 */
function consumeAll(base, headers, format) {
  const started = performance.now();
  const body = JSON.stringify({ port: "readings", limit: rowCount, format });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/api/products/${productId}/consume`,
      { method: "POST", agent: false, headers: { ...headers, "content-type": "application/json" } },
      (res) => {
        let bytes = 0;
        let lines = 0;
        let tail = "";
        let error = "";
        const arrow = [];
        res.on("data", (chunk) => {
          bytes += chunk.length;
          if (res.statusCode !== 200) error += chunk;
          else if (format === "arrow") arrow.push(chunk);
          // Counted natively (indexOf): a byte-by-byte JS loop would make this client the bottleneck.
          else if (format === "csv") for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
          else tail = (tail + chunk.toString("latin1", Math.max(0, chunk.length - 300))).slice(-300);
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new Error(`consume ${format}: ${res.statusCode} ${error}`));
          const ms = performance.now() - started;
          const rows =
            format === "csv"
              ? lines - 1
              : format === "arrow"
                ? tableFromIPC(Buffer.concat(arrow)).numRows
                : Number(/"rowCount"\s*:\s*(\d+)/.exec(tail)?.[1]);
          resolve({ rows, bytes, ms, rowsPerS: (rows / ms) * 1000 });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The baseline: DuckDB in this process reading the parquet file, rows converted to JSON text. */
async function duckdbDirect(parquet) {
  const { DuckDBInstance, JsonDuckDBValueConverter } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const started = performance.now();
  const result = await conn.stream(`SELECT * FROM read_parquet('${parquet.replaceAll("'", "''")}')`);
  let rows = 0;
  let bytes = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const values = chunk.convertRows(JsonDuckDBValueConverter);
    bytes += JSON.stringify(values).length;
    rows += values.length;
  }
  const ms = performance.now() - started;
  conn.closeSync();
  instance.closeSync();
  return { rows, bytes, ms, rowsPerS: (rows / ms) * 1000 };
}

const { mesh, parquet } = await prepareMesh();
console.log(
  `load generator: ${hasWrk ? "wrk" : "node http keep-alive (install wrk for lighter load)"}, ${connections} connections, ${seconds} s per run, ${rounds} rounds`,
);
const bare = await startServer([
  "-e",
  "require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port)})",
]);
const platform = await startServer([join(here, "bench-server.mjs"), mesh]);
const results = { bare: [], health: [], product: [], consume: [] };
const smallConsume = JSON.stringify({
  port: "readings",
  sql: "SELECT station_id, reading_ts, temperature_c FROM readings WHERE station_id = 'WS-1001' ORDER BY reading_ts DESC LIMIT 10",
});
const streams = { json: [], csv: [], arrow: [], duckdb: [] };
try {
  for (const [label, url] of [
    ["product", `${platform.url}/api/products/${productId}`],
    ["health", `${platform.url}/api/health`],
  ]) {
    const res = await fetch(url, { headers: platform.headers });
    if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
  }
  const probe = await fetch(`${platform.url}/api/products/${productId}/consume`, {
    method: "POST",
    headers: { ...platform.headers, "content-type": "application/json" },
    body: smallConsume,
  });
  if (probe.status !== 200) throw new Error(`small consume: ${probe.status} ${await probe.text()}`);
  const runs = {
    bare: () => load(bare.url),
    health: () => load(`${platform.url}/api/health`),
    product: () => load(`${platform.url}/api/products/${productId}`, undefined, platform.headers),
    consume: () => load(`${platform.url}/api/products/${productId}/consume`, smallConsume, platform.headers),
  };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? Object.keys(runs) : Object.keys(runs).reverse();
    for (const k of order) results[k].push(await runs[k]());
    const streamOrder = r % 2 === 0 ? ["json", "csv", "arrow", "duckdb"] : ["duckdb", "arrow", "csv", "json"];
    for (const k of streamOrder)
      streams[k].push(
        k === "duckdb" ? await duckdbDirect(parquet) : await consumeAll(platform.url, platform.headers, k),
      );
    console.log(`  round ${r + 1} of ${rounds} done; ${machine()}`);
  }
} catch (e) {
  console.error(`platform server stderr:\n${platform.log()}`);
  throw e;
} finally {
  await platform.stop();
  await bare.stop();
}

const m = (xs, k) => median(xs.map((x) => x[k]));
console.log(`\nrequests on loopback (median of ${rounds} runs; ${machine()})`);
const line = (label, k, base) =>
  `  ${label.padEnd(34)} ${m(results[k], "rps").toFixed(0).padStart(7)} req/s  p50 ${fmt(m(results[k], "p50")).padStart(6)} ms  p99 ${fmt(m(results[k], "p99")).padStart(6)} ms` +
  (base ? `   ${(m(results[k], "rps") / m(results[base], "rps")).toFixed(2)}× the ${base} rate` : "");
console.log(line("baseline: bare node http 'ok'", "bare"));
console.log(line("baseline: GET /api/health", "health", "bare"));
console.log(line(`GET /api/products/{id}`, "product", "health"));
console.log(line("POST consume (10 rows, SQL)", "consume", "health"));
console.log(`\nconsume streaming, ${rowCount.toLocaleString("en")} readings (median of ${rounds})`);
const s = (k) => ({
  rowsPerS: m(streams[k], "rowsPerS"),
  ms: m(streams[k], "ms"),
  mb: m(streams[k], "bytes") / 1e6,
  rows: m(streams[k], "rows"),
});
const d = s("duckdb");
console.log(
  `  baseline: DuckDB in-process → JSON  ${d.rowsPerS.toFixed(0).padStart(9)} rows/s  (${d.ms.toFixed(0)} ms)`,
);
for (const k of ["json", "csv", "arrow"]) {
  const x = s(k);
  console.log(
    `  consume ${k.padEnd(4)} over HTTP          ${x.rowsPerS.toFixed(0).padStart(9)} rows/s  (${x.rows} rows, ${x.mb.toFixed(0)} MB, ${x.ms.toFixed(0)} ms)   ${(x.rowsPerS / d.rowsPerS).toFixed(2)}× the baseline`,
  );
}
const reads = m(results.product, "rps");
const slowest = Math.min(s("json").rowsPerS, s("csv").rowsPerS, s("arrow").rowsPerS);
console.log(`\ngoals:`);
console.log(
  `  product reads ≥ ${goals.productReadsPerS} req/s: ${reads.toFixed(0)}  ${verdict(reads >= goals.productReadsPerS)}`,
);
console.log(
  `  consume streams ≥ ${goals.consumeRowsPerS.toLocaleString("en")} rows/s (json, csv and arrow): ${slowest.toFixed(0)}  ${verdict(slowest >= goals.consumeRowsPerS)}`,
);
