import type { CheckResult, ColumnProfile, DatasetProfile } from "@quanta/core";

/** One number of one run: a series is the points of one (port, dataset, column, metric) over time. */
export interface MeasurementPoint {
  /** '' for the port as a whole. */
  dataset: string;
  /** '' for the dataset as a whole. */
  column: string;
  metric: string;
  value: number | null;
}

/** The metrics a profile gives per column (rowCount per dataset). */
export const columnMetrics = ["nullRate", "distinct", "min", "max", "mean"] as const;

const isoDate = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch milliseconds of an ISO 8601 date or timestamp as engines print them; no zone means UTC, never local time. */
function isoMs(t: string): number | null {
  const m = isoDate.exec(t);
  if (!m) return null;
  const [, day, time, zone] = m;
  let z = (zone ?? "Z").toUpperCase();
  if (z !== "Z") z = z.length === 3 ? `${z}:00` : z.length === 5 ? `${z.slice(0, 3)}:${z.slice(3)}` : z;
  // JavaScript reads at most milliseconds: microseconds (DuckDB, PostgreSQL) are cut, not refused.
  const clock = time ? time.replace(/(\.\d{3})\d+$/, "$1") : "00:00:00";
  const ms = Date.parse(`${day}T${clock}${z}`);
  return Number.isNaN(ms) ? null : ms;
}

/** A value as a number for a series: numbers as they are, dates and timestamps as epoch seconds, else null. */
export function numeric(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    const t = v.trim();
    if (t !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) {
      const n = Number(t);
      return Number.isFinite(n) ? n : null;
    }
    const ms = isoMs(t);
    if (ms !== null) return ms / 1000;
  }
  return null;
}

/**
 * Every number a run gives: each check's value as `check:<key>`, and from the profiles each
 * dataset's `rowCount` and each column's null rate, distinct count, min, max and mean; the port's
 * `freshnessSeconds` (the stalest freshness check). Without a profile, a `rowCount` check's value
 * stands in for the dataset's row count.
 */
export function measurementPoints(
  checks: readonly CheckResult[],
  profiles: readonly DatasetProfile[] | undefined,
): MeasurementPoint[] {
  const points = new Map<string, MeasurementPoint>();
  const put = (p: MeasurementPoint) => points.set(`${p.dataset}\u0000${p.column}\u0000${p.metric}`, p);
  let freshness: number | null | undefined;
  for (const c of checks) {
    const value = c.result === "error" || c.result === "skipped" ? null : numeric(c.value);
    put({ dataset: c.schema ?? "", column: "", metric: `check:${c.key}`, value });
    if (c.type === "freshness" && value !== null) freshness = Math.max(freshness ?? value, value);
  }
  const profiled = new Set<string>();
  for (const d of profiles ?? []) {
    if (d.rows === null && d.columns.length === 0) continue;
    profiled.add(d.dataset);
    put({ dataset: d.dataset, column: "", metric: "rowCount", value: d.rows });
    for (const col of d.columns) {
      put({ dataset: d.dataset, column: col.name, metric: "nullRate", value: col.nullRate });
      put({ dataset: d.dataset, column: col.name, metric: "distinct", value: col.distinct });
      put({ dataset: d.dataset, column: col.name, metric: "min", value: numeric(col.min) });
      put({ dataset: d.dataset, column: col.name, metric: "max", value: numeric(col.max) });
      put({ dataset: d.dataset, column: col.name, metric: "mean", value: col.mean });
    }
  }
  for (const c of checks) {
    if (c.type !== "rowCount" || !c.schema || c.property || profiled.has(c.schema)) continue;
    const value = c.result === "error" ? null : numeric(c.value);
    if (value !== null) put({ dataset: c.schema, column: "", metric: "rowCount", value });
  }
  if (freshness !== undefined) put({ dataset: "", column: "", metric: "freshnessSeconds", value: freshness });
  return [...points.values()];
}

/**
 * A profile as a reader outside the owner team sees it: counts and rates, not the data's own values
 * (min, max, mean, the most frequent values).
 */
export function profileForReader(d: DatasetProfile): DatasetProfile {
  const hide = (c: ColumnProfile): ColumnProfile => ({ ...c, min: null, max: null, mean: null, top: null });
  const note = "min, max, mean and top values are shown to the owner team only";
  // An engine's message after the first colon may quote the data ("could not convert 'alice@…'").
  const said = d.reason?.split(": ")[0];
  const reason = said && said !== d.reason ? `${said} (the details are shown to the owner team only)` : said;
  return { ...d, columns: d.columns.map(hide), reason: reason ? `${reason}; ${note}` : note };
}
