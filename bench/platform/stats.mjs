// Small shared helpers of the platform benchmarks: percentiles, timing, the machine's load.
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dataRoot = join(root, "bench", ".data", "platform");

/** Imports a built package (its dist), so the benchmark measures what `quanta` runs. */
export async function built(pkg, file = "index.js") {
  const path = join(root, "packages", pkg, "dist", file);
  if (!existsSync(path)) {
    console.error(`${path} is missing: build first (npx tsc -b)`);
    process.exit(2);
  }
  return import(path);
}

/** Nearest-rank percentile of a list of numbers. */
export function percentile(xs, p) {
  if (!xs || xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (xs) => percentile(xs, 50);

/** Milliseconds taken by `fn` (awaited). */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function machine() {
  const [one, five] = loadavg();
  return `${cpus().length} cores, load average ${one.toFixed(1)} (1 min) ${five.toFixed(1)} (5 min), node ${process.version}`;
}

export const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
export const ratio = (a, b) => `${(a / b).toFixed(1)}×`;
export const verdict = (ok) => (ok ? "PASS" : "FAIL");
