// Times `quanta test` against a PostgreSQL table (the built binary, a real process, the checks
// pushed down to PostgreSQL) against one hand-written aggregate query over the same table,
// interleaved over several rounds; prints wall, CPU and peak memory as ratios. Starts its own
// throwaway PostgreSQL server (Debian's postgresql package) and loads the table once per run.
//   QUANTA_BENCH_ROWS=10000000 QUANTA_BENCH_ROUNDS=5 node bench/contract-test/postgres.mjs
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const rows = Number(process.env.QUANTA_BENCH_ROWS ?? 10_000_000);
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 5);
const hasTime = existsSync("/usr/bin/time");

const { startPostgres, findPostgresBin } = await import(join(root, "packages/testing/dist/postgres-server.js"));
if (!findPostgresBin()) {
  console.log("skipped: PostgreSQL server binaries not installed (apt-get install postgresql)");
  process.exit(0);
}
const server = await startPostgres();
try {
  const url = new URL(server.url);
  const admin = new pg.Client({ connectionString: server.url });
  admin.on("error", () => {}); // the server stopping at the end ends the session too
  await admin.connect();
  const started = Date.now();
  // The same data as generate.mjs writes for DuckDB: order_id unique, customer_id 1 % null, a
  // timestamp every 3 s, amount numeric ≥ 0, 4 statuses.
  await admin.query(`CREATE SCHEMA bench;
    CREATE UNLOGGED TABLE bench.orders AS
      SELECT i AS order_id,
             CASE WHEN i % 100 = 0 THEN NULL ELSE (i * 7919) % 250000 END AS customer_id,
             TIMESTAMP '2024-01-01' + make_interval(secs => i * 3) AS ordered_at,
             (((i * 104729) % 100000) / 100.0)::numeric(12,2) AS amount,
             (ARRAY['placed', 'paid', 'shipped', 'cancelled'])[1 + (i * 17) % 4] AS status
      FROM generate_series(0::bigint, ${rows - 1}) AS s(i);
    ANALYZE bench.orders;`);
  await admin.end();
  console.log(
    `loaded ${rows.toLocaleString("en")} rows into PostgreSQL in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const dataDir = join(here, "..", ".data");
  mkdirSync(dataDir, { recursive: true });
  const contractFile = join(dataDir, `orders-postgres-${rows}.odcs.yaml`);
  writeFileSync(
    contractFile,
    readFileSync(join(here, "orders.odcs.yaml"), "utf8")
      .replace(
        /servers:\n(?:\s{2,}.*\n)+?schema:/,
        `servers:\n  - server: pg\n    type: postgres\n    host: ${url.hostname}\n    port: ${url.port}\n    database: ${url.pathname.slice(1)}\n    schema: bench\nschema:`,
      )
      .replace("mustBeGreaterThan: 1000000", `mustBeGreaterThan: ${Math.floor(rows / 10)}`),
  );
  const env = { ...process.env, PGUSER: decodeURIComponent(url.username) || "postgres" };

  /** Runs a command; wall from hrtime, CPU and peak RSS (of the client process) from GNU time -v. */
  const measure = (args) => {
    const start = process.hrtime.bigint();
    const cmd = hasTime ? "/usr/bin/time" : process.execPath;
    const argv = hasTime ? ["-v", process.execPath, ...args] : args;
    const r = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", env, maxBuffer: 64 << 20 });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const field = (name) => Number(new RegExp(`${name}: ([0-9.]+)`).exec(r.stderr)?.[1] ?? Number.NaN);
    const cpuMs = (field("User time \\(seconds\\)") + field("System time \\(seconds\\)")) * 1000;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallMs, cpuMs };
  };
  const sides = {
    quanta: ["packages/cli/bin/quanta.js", "test", contractFile, "--format", "json"],
    query: [join(here, "hand-written-postgres.mjs"), server.url],
    // The profile in the same scan (nulls, min, max, mean in the aggregate; pg_stats for distinct).
    profile: ["packages/cli/bin/quanta.js", "test", contractFile, "--format", "json", "--profile"],
  };
  const samples = { quanta: [], query: [], profile: [] };
  for (let i = 0; i < rounds; i++) {
    const order = ["quanta", "query", "profile"];
    for (const side of i % 2 === 0 ? order : order.reverse()) {
      const m = measure(sides[side]);
      if (m.status !== 0) {
        console.error(`${side} exited ${m.status}\n${m.stdout.slice(0, 4000)}\n${m.stderr.slice(0, 4000)}`);
        process.exit(1);
      }
      samples[side].push(m);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const stat = (side, k) => median(samples[side].map((m) => m[k]));
  const row = (label, k, [a, b] = ["quanta", "query"], names = ["quanta", "hand-written"]) => {
    const q = stat(a, k);
    const s = stat(b, k);
    return `${label.padEnd(12)} ${names[0]} ${q.toFixed(0).padStart(7)} ms   ${names[1]} ${s.toFixed(0).padStart(7)} ms   ratio ${(q / s).toFixed(2)}×`;
  };
  console.log(
    `contract test in PostgreSQL vs one hand-written aggregate: ${rows.toLocaleString("en")} rows (median of ${rounds} interleaved rounds)`,
  );
  console.log(row("wall", "wallMs"));
  if (hasTime) console.log(`${row("client cpu", "cpuMs")}   (the scan's CPU is the server's, on both sides)`);
  const wall = stat("quanta", "wallMs") / stat("query", "wallMs");
  console.log(`goal: wall ≤ 1.15× (${wall <= 1.15 ? "met" : "NOT met"})`);
  const pair = ["profile", "quanta"];
  const names = ["with profile", "without"];
  console.log("\nthe profile in the same scan: quanta test --profile vs quanta test");
  console.log(row("wall", "wallMs", pair, names));
  if (hasTime) console.log(row("client cpu", "cpuMs", pair, names));
  const cost = stat("profile", "wallMs") / stat("quanta", "wallMs");
  console.log(
    `goal: ≤ 10 % more wall time (${cost <= 1.1 ? "met" : "NOT met"}: ${cost >= 1 ? "+" : ""}${((cost - 1) * 100).toFixed(1)} %)`,
  );
} finally {
  await server.stop();
}
