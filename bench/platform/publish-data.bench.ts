// Publishing a product's data: `PUT /api/products/{id}/ports/{port}/data` of one Parquet file
// (1 GB by default) to a running `quanta`-built server, against `cp` of the same file on the same
// disk (and `cp` followed by `sync` of the copy, since the server flushes a version to disk before
// it becomes current), and a bare Node http server that writes a PUT's body to a file and flushes
// it (what any HTTP upload costs here). Interleaved round by round, medians; ratios to `cp`.
// The PUT is split at its last byte sent: streaming the body to disk, then what follows it
// (flush, the contract's checks by DuckDB over the staged file, the switch). The server runs as its
// own process (the built platform on PGlite); its CPU time and peak memory are read from /proc.
//
// Run after `npx tsc -b`:
//   npx vite-node bench/platform/publish-data.bench.ts
//   QUANTA_BENCH_BYTES=100000000 npx vite-node bench/platform/publish-data.bench.ts   (100 MB)
//   QUANTA_BENCH_ROUNDS=5 …
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dataRoot = join(root, "bench", ".data", "platform");
const bytes = Number(process.env.QUANTA_BENCH_BYTES ?? 1_000_000_000);
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 3);
if (!Number.isSafeInteger(bytes) || bytes < 1_000_000) throw new Error("QUANTA_BENCH_BYTES: at least 1000000");

const dist = (pkg: string, file = "index.js") => {
  const path = join(root, "packages", pkg, "dist", file);
  if (!existsSync(path)) {
    console.error(`${path} is missing: build first (npx tsc -b)`);
    process.exit(2);
  }
  return path;
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
};
const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/** About 75 bytes a row on disk: an id, an amount, 64 hex characters (Parquet cannot shrink them much). */
async function generate(file: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const rows = Math.ceil(bytes / 75);
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(
      `COPY (SELECT range::BIGINT AS order_id, (hash(range) % 1000000)::DOUBLE / 1000 AS amount,
              md5(range::VARCHAR) || md5((range * 7919)::VARCHAR) AS payload
            FROM range(${rows})) TO '${file}' (FORMAT parquet)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const product = `apiVersion: v1.0.0
kind: DataProduct
id: bench.orders
name: Bench orders
version: 1.0.0
status: active
domain: bench
description:
  purpose: Orders published with their data, for the publish-data benchmark.
support:
  - channel: "#bench"
    url: https://chat.example.com/bench
    tool: slack
outputPorts:
  - name: orders
    type: tables
    version: 1.0.0
    contractId: bench.orders.orders
team:
  name: Bench team
  members:
    - username: bench-owner@example.com
      role: owner
      dateIn: "2024-01-01"
`;
const contract = `apiVersion: v3.1.0
kind: DataContract
id: bench.orders.orders
name: Orders
version: 1.0.0
status: active
description:
  purpose: One row per order, for the publish-data benchmark.
schema:
  - name: orders
    physicalType: table
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: order_id
        logicalType: integer
        classification: public
        required: true
        unique: true
      - name: amount
        logicalType: number
        classification: public
        logicalTypeOptions:
          minimum: 0
          maximum: 1000
      - name: payload
        logicalType: string
        classification: public
        required: true
`;

/** The built platform in its own process: PGlite, the bench product published, an admin's token. */
const serverScript = `
const { startPlatform, IdentityStore, Registry, readProductFolder } = await import(${JSON.stringify(dist("platform"))});
const platform = await startPlatform({ store: { dataDir: process.env.DATA_DIR }, port: 0, hostname: "127.0.0.1", runJobs: false });
const identity = new IdentityStore(platform.db);
const admin = await identity.users.createUser({ username: "bench-admin", roles: ["admin"] });
const { token } = await identity.tokens.createToken(admin.id, { name: "bench" });
await new Registry(platform.db).publish({ files: await readProductFolder(process.env.PRODUCT), publishedBy: "bench" });
console.log(JSON.stringify({ url: platform.url, token }));
process.on("SIGTERM", () => platform.close().then(() => process.exit(0)));
`;

/** A bare Node http server: the body of each PUT to a file, flushed, then 201. */
const bareScript = `
import http from "node:http";
import { createWriteStream, openSync, fsyncSync, closeSync, rmSync } from "node:fs";
import { pipeline } from "node:stream/promises";
const server = http.createServer(async (req, res) => {
  await pipeline(req, createWriteStream(process.env.TARGET));
  const fd = openSync(process.env.TARGET, "r+");
  fsyncSync(fd);
  closeSync(fd);
  rmSync(process.env.TARGET);
  res.writeHead(201, { "content-type": "application/json" }).end("{}");
});
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: "http://127.0.0.1:" + server.address().port, token: "" })));
process.on("SIGTERM", () => process.exit(0));
`;

function startServer(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((done, fail) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) done({ child, ...JSON.parse(line) });
    });
    child.once("exit", (code) => fail(new Error(`bench server exited ${code}\n${err}`)));
  });
}

/** CPU seconds (user + system) and peak resident memory of a process, from /proc. */
function usage(pid: number): { cpu: number; peakRss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return { cpu: ticks / 100, peakRss: Number(hwm ?? 0) * 1024 };
}

const timed = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

mkdirSync(dataRoot, { recursive: true });
const file = join(dataRoot, `publish-data-${bytes}.parquet`);
if (!existsSync(file)) {
  console.error(`generating ${file} (once; reused while present)`);
  await generate(`${file}.tmp`);
  spawnSync("mv", [`${file}.tmp`, file]);
}
const size = statSync(file).size;
const work = mkdtempSync(join(tmpdir(), "quanta-bench-publish-data-"));
const productDir = join(work, "product");
mkdirSync(join(productDir, "contracts"), { recursive: true });
writeFileSync(join(productDir, "orders.odps.yaml"), product);
writeFileSync(join(productDir, "contracts", "orders.odcs.yaml"), contract);
const { uploadData } = (await import(
  dist("platform", "client/data-upload.js")
)) as typeof import("../../packages/platform/src/client/data-upload.js");

const server = await startServer(serverScript, { DATA_DIR: join(work, "server"), PRODUCT: productDir });
const bare = await startServer(bareScript, { TARGET: join(work, "bare.parquet") });
const samples: Record<"cp" | "cpSync" | "bare" | "put" | "send" | "after", number[]> = {
  cp: [],
  cpSync: [],
  bare: [],
  put: [],
  send: [],
  after: [],
};
const cpu: number[] = [];
let rows = 0;
// What the server holds before any upload (PGlite, the HTTP stack): the uploads' own share is above it.
const idle = usage(server.child.pid as number).peakRss;
try {
  console.log(
    `publish-data: ${mb(size)} of Parquet, ${rounds} rounds; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  for (let r = 1; r <= rounds; r++) {
    const copy = join(work, "copy.parquet");
    samples.cp.push(timed(() => spawnSync("cp", [file, copy])));
    rmSync(copy);
    samples.cpSync.push(timed(() => spawnSync("sh", ["-c", `cp "${file}" "${copy}" && sync "${copy}"`])));
    rmSync(copy);
    const bareStart = performance.now();
    await uploadData(bare.url, undefined, "bare", "bare", file, { format: "parquet" });
    samples.bare.push(performance.now() - bareStart);
    const before = usage(server.child.pid as number);
    const started = performance.now();
    let sentAt = started;
    const result = await uploadData(server.url, server.token, "bench.orders", "orders", file, {
      format: "parquet",
      onProgress: (sent, total) => {
        if (sent === total) sentAt = performance.now();
      },
    });
    const done = performance.now();
    if (result.status !== "passed") throw new Error(`checks ${result.status}: ${JSON.stringify(result.checks)}`);
    rows = result.rows;
    samples.put.push(done - started);
    samples.send.push(sentAt - started);
    samples.after.push(done - sentAt);
    cpu.push(usage(server.child.pid as number).cpu - before.cpu);
    console.log(
      `  round ${r}: cp ${(samples.cp.at(-1) as number).toFixed(0)} ms, cp+sync ${(samples.cpSync.at(-1) as number).toFixed(0)} ms, bare http ${(samples.bare.at(-1) as number).toFixed(0)} ms, PUT ${(done - started).toFixed(0)} ms (version ${result.version}, ${result.checks.length} checks)`,
    );
  }
  const peak = usage(server.child.pid as number).peakRss;
  const cp = median(samples.cp);
  const line = (name: string, ms: number) =>
    `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${(size / 1e6 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  ${(ms / cp).toFixed(2)}× cp`;
  console.log(`\nmedians, ${mb(size)} (${rows.toLocaleString("en-US")} rows):`);
  console.log(line("cp", cp));
  console.log(line("cp + sync", median(samples.cpSync)));
  console.log(line("bare Node http PUT → file + fsync", median(samples.bare)));
  console.log(line("PUT …/ports/orders/data", median(samples.put)));
  console.log(line("  of which the body sent", median(samples.send)));
  console.log(line("  of which flush, checks, switch", median(samples.after)));
  console.log(
    `  server: ${median(cpu).toFixed(1)} s CPU per PUT; peak memory ${mb(peak)}, of which ${mb(idle)} before the first upload (+${mb(peak - idle)} for ${rounds} uploads of ${mb(size)})`,
  );
} finally {
  for (const s of [server, bare]) {
    const gone = new Promise((done) => s.child.once("exit", done));
    s.child.kill("SIGTERM");
    await gone;
  }
  rmSync(work, { recursive: true, force: true });
}
