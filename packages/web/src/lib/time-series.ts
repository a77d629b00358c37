import type { MeasurementSeries, SloObjective } from "../api/types.js";

/** A line of a chart: its points as epoch milliseconds and numbers, oldest first. */
export interface ChartLine {
  key: string;
  label: string;
  points: { t: number; v: number | null }[];
}

/** A linear map from a domain onto a range; a flat domain maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (x: number): number => (span === 0 ? (r0 + r1) / 2 : r0 + ((x - d0) / span) * (r1 - r0));
}

/**
 * About `count` round ticks covering [min, max] (1, 2 or 5 times a power of ten), and the domain
 * widened to the outer ticks so the lines never touch the frame.
 */
export function niceTicks(min: number, max: number, count = 4): { ticks: number[]; domain: [number, number] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [0, 1], domain: [0, 1] };
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  // The round step whose number of intervals comes nearest the count asked (ties: the wider step).
  const intervals = (s: number) => Math.ceil(hi / s - 1e-9) - Math.floor(lo / s + 1e-9);
  const step = [10, 5, 2, 1]
    .map((m) => m * power)
    .reduce((best, s) => (Math.abs(intervals(s) - count) < Math.abs(intervals(best) - count) ? s : best));
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toPrecision(12)) || 0);
  return { ticks, domain: [start, end] };
}

/** The earliest and latest time of any point (epoch ms); undefined when there is none. */
export function timeDomain(lines: readonly ChartLine[]): [number, number] | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const l of lines)
    for (const p of l.points) {
      lo = Math.min(lo, p.t);
      hi = Math.max(hi, p.t);
    }
  return lo <= hi ? [lo, hi] : undefined;
}

/** The smallest and largest measured value, with extra values (an objective) taken in. */
export function valueExtent(lines: readonly ChartLine[], extra: readonly number[] = []): [number, number] | undefined {
  const all = [...lines.flatMap((l) => l.points.map((p) => p.v)), ...extra].filter(
    (v): v is number => typeof v === "number" && Number.isFinite(v),
  );
  if (all.length === 0) return undefined;
  return [Math.min(...all), Math.max(...all)];
}

const toLine = (s: MeasurementSeries, label: string): ChartLine => ({
  key: `${s.port}/${s.dataset ?? ""}/${s.column ?? ""}/${s.metric}`,
  label,
  points: s.points
    .map((p) => ({ t: Date.parse(p.at), v: typeof p.value === "number" && Number.isFinite(p.value) ? p.value : null }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t),
});

/** The output ports that have any series, in the order they first appear. */
export function measuredPorts(series: readonly MeasurementSeries[]): string[] {
  return [...new Set(series.map((s) => s.port))];
}

/** Row count of each dataset of the port, one line per dataset. */
export function rowCountLines(series: readonly MeasurementSeries[], port: string): ChartLine[] {
  const rows = series.filter((s) => s.port === port && s.metric === "rowCount" && s.column === null);
  return rows.map((s) => toLine(s, s.dataset ?? port));
}

/** Age of the port's newest data, in seconds. */
export function freshnessLines(series: readonly MeasurementSeries[], port: string): ChartLine[] {
  const fresh = series.filter((s) => s.port === port && s.metric === "freshnessSeconds");
  return fresh.map((s) => toLine(s, s.dataset ? `${s.dataset} age` : "age of the newest data"));
}

export interface NullRateLines {
  /** The worst columns, worst first: highest latest null rate, then highest ever. */
  lines: ChartLine[];
  /** Columns measured that are not drawn (all-zero or beyond the worst few). */
  others: number;
  /** Columns whose null rate was never above zero. */
  clean: number;
}

const latest = (l: ChartLine): number => {
  for (let i = l.points.length - 1; i >= 0; i--) {
    const v = l.points[i]?.v;
    if (typeof v === "number") return v;
  }
  return -1;
};
const highest = (l: ChartLine): number => Math.max(-1, ...l.points.map((p) => p.v ?? -1));

/** The few columns of the port with the most nulls; a column that never had a null is not drawn. */
export function worstNullRates(series: readonly MeasurementSeries[], port: string, few = 4): NullRateLines {
  const all = series
    .filter((s) => s.port === port && s.metric === "nullRate" && s.column !== null)
    .map((s) => toLine(s, s.dataset ? `${s.dataset}.${s.column}` : (s.column ?? "")));
  const withNulls = all.filter((l) => highest(l) > 0);
  withNulls.sort((a, b) => latest(b) - latest(a) || highest(b) - highest(a) || a.label.localeCompare(b.label));
  const lines = withNulls.slice(0, few);
  return { lines, others: all.length - lines.length, clean: all.length - withNulls.length };
}

const unitSeconds: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
};

/**
 * Seconds in a duration as SLAs write them: `24h`, `1 day`, `30 min`, `PT6H`, `P1D`, `≤ 2 h`.
 * Undefined for text that holds no duration (no line is drawn rather than a wrong one).
 */
export function parseDurationSeconds(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const iso = /P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?/i.exec(text);
  if (iso?.[0] && iso[0].length > 1 && iso.slice(1).some((x) => x !== undefined)) {
    const [, d, h, m, s] = iso.map((x) => Number(x ?? 0));
    return (d ?? 0) * 86400 + (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  }
  const plain = /(\d+(?:\.\d+)?)\s*([a-z]+)/i.exec(text);
  if (!plain) return undefined;
  const unit = unitSeconds[(plain[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Number(plain[1]) * unit;
}

/** Where the freshness chart draws its objective line: the port's freshness SLO, in seconds. */
export function freshnessObjectiveSeconds(objectives: readonly SloObjective[], port: string): number | undefined {
  const o = objectives.find((x) => x.port === port && x.property === "freshness");
  if (!o) return undefined;
  const numeric = (o as SloObjective & { thresholdSeconds?: unknown }).thresholdSeconds;
  if (typeof numeric === "number" && Number.isFinite(numeric)) return numeric;
  return parseDurationSeconds(o.objective);
}

export interface BudgetRow {
  key: string;
  label: string;
  objective: string;
  /** Share of the error budget left; below 0 when overspent; null when nothing was measured. */
  remaining: number | null;
  status: SloObjective["status"];
  text: string;
}

const statusRank: Record<SloObjective["status"], number> = { breached: 0, "at-risk": 1, unknown: 2, met: 3 };

/** Each objective's budget left, the most spent first, as the budget chart and its table show it. */
export function budgetRows(objectives: readonly SloObjective[], port?: string): BudgetRow[] {
  return objectives
    .filter((o) => port === undefined || o.port === port)
    .map((o) => {
      const r = o.budget.remaining;
      const remaining = typeof r === "number" && Number.isFinite(r) ? r : null;
      return {
        key: `${o.port}/${o.property}`,
        label: o.property,
        objective: o.objective,
        remaining,
        status: o.status,
        text: remaining === null ? "no data" : `${Math.round(remaining * 1000) / 10} % left`,
      };
    })
    .sort(
      (a, b) =>
        statusRank[a.status] - statusRank[b.status] ||
        (a.remaining ?? Number.POSITIVE_INFINITY) - (b.remaining ?? Number.POSITIVE_INFINITY) ||
        a.label.localeCompare(b.label),
    );
}

/** A unit to draw durations in, so an axis reads `6 h`, `12 h` rather than seconds. */
export interface DurationUnit {
  name: "s" | "min" | "h" | "d";
  seconds: number;
}

const durationUnits: readonly DurationUnit[] = [
  { name: "d", seconds: 86400 },
  { name: "h", seconds: 3600 },
  { name: "min", seconds: 60 },
  { name: "s", seconds: 1 },
];

/** The largest unit that the largest value spans at least twice (days from 2 d, hours from 2 h, ...). */
export function durationUnit(maxSeconds: number): DurationUnit {
  const max = Number.isFinite(maxSeconds) ? Math.abs(maxSeconds) : 0;
  return durationUnits.find((u) => max >= 2 * u.seconds) ?? { name: "s", seconds: 1 };
}

/** The lines with every value divided by `by` (seconds into the axis's unit). */
export function scaleLines(lines: readonly ChartLine[], by: number): ChartLine[] {
  if (!(by > 0) || by === 1) return [...lines];
  return lines.map((l) => ({ ...l, points: l.points.map((p) => ({ t: p.t, v: p.v === null ? null : p.v / by })) }));
}
