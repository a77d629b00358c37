// Times `quanta test` (the built binary, a real process) against one hand-written DuckDB scan of
// the same metrics, and `quanta test --profile` (the profile in the same scan) against plain
// `quanta test`, interleaved over several rounds; prints wall, CPU and peak memory as ratios.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { dataFile, generate, rows } from "./generate.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const rounds = Number(process.env.QUANTA_BENCH_ROUNDS ?? 5);
const hasTime = existsSync("/usr/bin/time");

await generate();

// The contract names the default data file; another size reads its own file, through a copy of
// the contract beside it (the same checks; the path, and the row count it expects, changed).
const contractFile = join(here, "..", ".data", `${basename(dataFile, ".parquet")}.odcs.yaml`);
writeFileSync(
  contractFile,
  readFileSync(join(here, "orders.odcs.yaml"), "utf8")
    .replace("path: ../.data/orders-10000000.parquet", `path: ${basename(dataFile)}`)
    .replace("mustBeGreaterThan: 1000000", `mustBeGreaterThan: ${Math.floor(rows / 10)}`),
);

/** Runs a command; wall from hrtime, CPU and peak RSS from GNU time (-v) when present. */
function measure(args) {
  const start = process.hrtime.bigint();
  const cmd = hasTime ? "/usr/bin/time" : process.execPath;
  const argv = hasTime ? ["-v", process.execPath, ...args] : args;
  const r = spawnSync(cmd, argv, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const field = (name) => Number(new RegExp(`${name}: ([0-9.]+)`).exec(r.stderr)?.[1] ?? Number.NaN);
  const cpuMs = (field("User time \\(seconds\\)") + field("System time \\(seconds\\)")) * 1000;
  const peakMb = field("Maximum resident set size \\(kbytes\\)") / 1024;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, wallMs, cpuMs, peakMb };
}

const sides = {
  quanta: ["packages/cli/bin/quanta.js", "test", contractFile, "--format", "json"],
  profile: ["packages/cli/bin/quanta.js", "test", contractFile, "--format", "json", "--profile"],
  scan: [join(here, "hand-written.mjs"), dataFile],
};
const samples = { quanta: [], profile: [], scan: [] };
for (let i = 0; i < rounds; i++) {
  // Alternate the order so no side always runs with the warmer page cache.
  const order = ["quanta", "profile", "scan"];
  for (const side of i % 2 === 0 ? order : order.reverse()) {
    const m = measure(sides[side]);
    if (m.status !== 0) {
      console.error(`${side} exited ${m.status}\n${m.stdout}\n${m.stderr}`);
      process.exit(1);
    }
    samples[side].push(m);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const stat = (side, k) => median(samples[side].map((m) => m[k]));
const row = (label, k, unit, [a, b] = ["quanta", "scan"], names = ["quanta", "hand-written"]) => {
  const q = stat(a, k);
  const s = stat(b, k);
  return `${label.padEnd(12)} ${names[0]} ${q.toFixed(0).padStart(7)} ${unit}   ${names[1]} ${s.toFixed(0).padStart(7)} ${unit}   ratio ${(q / s).toFixed(2)}×`;
};
console.log(`contract test vs one hand-written scan: ${dataFile} (median of ${rounds} interleaved rounds)`);
console.log(row("wall", "wallMs", "ms"));
if (hasTime) {
  console.log(row("cpu", "cpuMs", "ms"));
  console.log(row("peak memory", "peakMb", "MB"));
}
const wall = stat("quanta", "wallMs") / stat("scan", "wallMs");
const mem = hasTime ? stat("quanta", "peakMb") / stat("scan", "peakMb") : 1;
console.log(
  `goal: wall ≤ 1.15× (${wall <= 1.15 ? "met" : "NOT met"}), peak memory ≤ 1.2× (${mem <= 1.2 ? "met" : "NOT met"})`,
);

// The profile's cost: the same `quanta test` with --profile, against it without.
const sidesOf = ["profile", "quanta"];
const names = ["with profile", "without"];
console.log(`\nthe profile in the same scan: quanta test --profile vs quanta test`);
console.log(row("wall", "wallMs", "ms", sidesOf, names));
if (hasTime) {
  console.log(row("cpu", "cpuMs", "ms", sidesOf, names));
  console.log(row("peak memory", "peakMb", "MB", sidesOf, names));
}
const profiled = JSON.parse(samples.profile[0].stdout).profiles?.[0];
if (!profiled?.columns?.length || profiled.reason) {
  console.error(`the profiled run gave no profile: ${JSON.stringify(profiled)}`);
  process.exit(1);
}
const cost = stat("profile", "wallMs") / stat("quanta", "wallMs");
console.log(
  `goal: the profile costs ≤ 10 % more wall time (${cost <= 1.1 ? "met" : "NOT met"}: ${cost >= 1 ? "+" : ""}${((cost - 1) * 100).toFixed(1)} %)`,
);
