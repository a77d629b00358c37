/** Units from the largest down; a duration shows its largest unit and, when it counts, the next. */
const units = [
  { name: "y", ms: 365 * 86_400_000 },
  { name: "d", ms: 86_400_000 },
  { name: "h", ms: 3_600_000 },
  { name: "min", ms: 60_000 },
  { name: "s", ms: 1_000 },
] as const;

/**
 * A duration as people read it: `120 ms`, `2.3 s`, `42 s`, `1 min 5 s`, `1 h 38 min`, `3 d 4 h`,
 * `7 y`. Rounded to the second unit shown; the lost precision stays in the JSON output.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 9_950) return `${Number((ms / 1_000).toFixed(1))} s`;
  if (Math.round(ms / 1_000) < 60) return `${Math.round(ms / 1_000)} s`;
  for (let i = 0; i < units.length - 1; i++) {
    const big = units[i] as (typeof units)[number];
    const small = units[i + 1] as (typeof units)[number];
    // Rounded in the smaller unit first, so 59 min 59.7 s is `1 h`, not `60 min`.
    const total = Math.round(ms / small.ms);
    if (total * small.ms < big.ms) continue;
    const perBig = Math.round(big.ms / small.ms);
    const whole = Math.floor(total / perBig);
    const rest = total % perBig;
    return rest === 0 ? `${whole} ${big.name}` : `${whole} ${big.name} ${rest} ${small.name}`;
  }
  return `${Math.round(ms / 1_000)} s`;
}

/** Seconds (as SLA checks measure ages) → `formatDuration`. */
export const formatSeconds = (seconds: number): string => formatDuration(seconds * 1_000);
