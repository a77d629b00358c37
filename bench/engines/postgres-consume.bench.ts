// Consuming a PostgreSQL table where it lies: the PostgreSQL engine's reader (the consume path of
// the data plane: the dataset's SELECT as a CTE, the guard's EXPLAIN, a cursor into a result file,
// the file streamed) answering 1,000,000 rows as Arrow IPC, against psql's `\copy (SELECT …) TO
// STDOUT` of the same rows (the server's own text COPY, what a hand-written export costs).
// Interleaved round by round, medians; ratios to the COPY. Also CSV and JSON through the reader,
// CSV through `\copy … (FORMAT csv)`, and Arrow with a mask and a row filter.
//
// Run after `npx tsc -b` (psql and the PostgreSQL server binaries installed):
//   npx vite-node bench/engines/postgres-consume.bench.ts
//   QUANTA_BENCH_ROWS=200000 QUANTA_BENCH_ROUNDS=5 npx vite-node bench/engines/postgres-consume.bench.ts
//   QUANTA_BENCH_DATABASE_URL=postgres://… (a server of your own instead of a throwaway one)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tableFromIPC } from "apache-arrow";
import pg from "pg";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const rowCount = Number(process.env.QUANTA_BENCH_ROWS ?? 1_000_000);
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 5);
if (!Number.isSafeInteger(rowCount) || rowCount < 1000) throw new Error("QUANTA_BENCH_ROWS: at least 1000");

const dist = (pkg: string, file = "index.js") => {
  const path = join(root, "packages", pkg, "dist", file);
  if (!existsSync(path)) {
    console.error(`${path} is missing: build first (npx tsc -b)`);
    process.exit(2);
  }
  return path;
};
const { PostgresReader } = (await import(
  dist("engine-postgres", "consume/postgres-reader.js")
)) as typeof import("../../packages/engine-postgres/src/consume/postgres-reader.js");
const { defaultConsumeLimits } = (await import(
  dist("core", "engines/index.js")
)) as typeof import("../../packages/core/src/engines/index.js");
type ReadDataset = import("../../packages/core/src/engines/index.js").ReadDataset;
type ConsumeFormat = import("../../packages/core/src/engines/index.js").ConsumeFormat;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const thousands = (n: number) => Math.round(n).toLocaleString("en");

// The server: given, or a throwaway one as the test suite starts it.
let stopServer = async () => {};
let url = process.env.QUANTA_BENCH_DATABASE_URL;
if (!url) {
  const { startPostgres } = (await import(
    dist("testing", "postgres-server.js")
  )) as typeof import("../../packages/testing/src/postgres-server.js");
  const server = await startPostgres();
  url = server.url;
  stopServer = () => server.stop();
}
const u = new URL(url);

const setup = new pg.Client({ connectionString: url });
await setup.connect();
const generated = performance.now();
await setup.query(`
  DROP SCHEMA IF EXISTS quanta_bench CASCADE;
  CREATE SCHEMA quanta_bench;
  CREATE TABLE quanta_bench.readings AS
  SELECT i::bigint AS reading_id, (i % 1000)::integer AS station_id,
         TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 second' AS observed_at,
         round((i % 4000)::numeric / 100, 2)::numeric(6,2) AS temperature_c,
         (i % 97) / 97.0::double precision AS humidity,
         (ARRAY['ok', 'check', 'fault'])[1 + i % 3] AS status,
         'station-' || (i % 1000) || '@example.org' AS contact
  FROM generate_series(1, ${rowCount}) AS s(i);`);
await setup.query("VACUUM ANALYZE quanta_bench.readings");
await setup.end();
console.log(
  `${thousands(rowCount)} readings in quanta_bench.readings (${((performance.now() - generated) / 1000).toFixed(1)} s)`,
);

const columns = "reading_id, station_id, observed_at, temperature_c, humidity, status, contact";
const readings: ReadDataset = {
  name: "readings",
  source: { kind: "table", schema: "quanta_bench", table: "readings" },
  masked: [],
  rowFilters: [],
};
const protectedReadings: ReadDataset = { ...readings, masked: ["contact"], rowFilters: ["station_id >= 0"] };
const server = {
  server: "bench",
  type: "postgres",
  host: u.hostname,
  port: Number(u.port),
  database: u.pathname.slice(1),
  schema: "quanta_bench",
};
const env = {
  QUANTA_POSTGRES_USER: decodeURIComponent(u.username),
  QUANTA_POSTGRES_PASSWORD: decodeURIComponent(u.password),
};
const tempDir = mkdtempSync(join(tmpdir(), "quanta-bench-pg-consume-"));
const reader = new PostgresReader({ tempDir });
const limits = { ...defaultConsumeLimits, maxRows: rowCount, timeoutMs: 600_000 };

interface Round {
  ms: number;
  firstByteMs: number;
  bytes: number;
  cpuMs: number;
}

/** One read through the reader, its body drained; the Arrow answer is read back to count its rows. */
async function viaReader(format: ConsumeFormat, dataset: ReadDataset): Promise<Round> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const stream = await reader.consume({
    server,
    env,
    datasets: [dataset],
    query: { format, limit: rowCount, sql: `SELECT ${columns} FROM readings` },
    limits,
  });
  const firstByteMs = performance.now() - started;
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const body = (stream.body as ReadableStream<Uint8Array>).getReader();
  for (let next = await body.read(); !next.done; next = await body.read()) {
    bytes += next.value.length;
    if (format === "arrow") chunks.push(next.value);
  }
  const outcome = await stream.done;
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (outcome.rows !== rowCount) throw new Error(`${format}: ${outcome.rows} rows, expected ${rowCount}`);
  if (format === "arrow") {
    const table = tableFromIPC(Buffer.concat(chunks));
    if (table.numRows !== rowCount) throw new Error(`arrow: read back ${table.numRows} rows`);
  }
  return { ms, firstByteMs, bytes, cpuMs: (used.user + used.system) / 1000 };
}

/** psql's `\copy (SELECT …) TO STDOUT`, stdout drained and counted by this process. */
function viaPsql(options: string): Promise<Round> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = 0;
    let bytes = 0;
    const child = spawn(
      "psql",
      [
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        url!,
        "-c",
        `\\copy (SELECT ${columns} FROM quanta_bench.readings LIMIT ${rowCount}) TO STDOUT${options}`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.stdout.on("data", (d: Buffer) => {
      if (bytes === 0) firstByteMs = performance.now() - started;
      bytes += d.length;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`psql exited ${code}`));
      else resolve({ ms: performance.now() - started, firstByteMs, bytes, cpuMs: 0 });
    });
  });
}

const sides: [string, () => Promise<Round>][] = [
  ["psql \\copy … TO STDOUT (text)", () => viaPsql("")],
  ["reader → Arrow", () => viaReader("arrow", readings)],
  ["reader → Arrow, a mask and a row filter", () => viaReader("arrow", protectedReadings)],
  ["psql \\copy … TO STDOUT (FORMAT csv)", () => viaPsql(" (FORMAT csv)")],
  ["reader → CSV", () => viaReader("csv", readings)],
  ["reader → JSON", () => viaReader("json", readings)],
];
const results = new Map<string, Round[]>(sides.map(([name]) => [name, []]));
try {
  for (const [, run] of sides) await run(); // warm-up: the table in shared buffers, the modules loaded
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of sides) results.get(name)!.push(await run());
  }
} finally {
  await reader.close();
  rmSync(tempDir, { recursive: true, force: true });
  await stopServer();
}

const [one, five] = loadavg();
console.log(
  `\n${cpus().length} cores, load average ${one!.toFixed(1)} (1 min) ${five!.toFixed(1)} (5 min), node ${process.version}; ${thousands(rowCount)} rows, ${rounds} rounds, medians\n`,
);
const baseline = median(results.get(sides[0]![0])!.map((r) => r.ms));
console.log("| read | wall | first byte | rows/s | size | this process's CPU | vs text COPY |");
console.log("|---|---|---|---|---|---|---|");
for (const [name] of sides) {
  const rs = results.get(name)!;
  const ms = median(rs.map((r) => r.ms));
  const cpu = median(rs.map((r) => r.cpuMs));
  console.log(
    `| ${name} | ${thousands(ms)} ms | ${thousands(median(rs.map((r) => r.firstByteMs)))} ms | ${thousands((rowCount / ms) * 1000)} | ${(median(rs.map((r) => r.bytes)) / 1e6).toFixed(0)} MB | ${cpu > 0 ? `${thousands(cpu)} ms` : "—"} | ${(ms / baseline).toFixed(2)}× |`,
  );
}
