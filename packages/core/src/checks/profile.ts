import type { Dialect, ProfileShape } from "../dialect/dialect.js";
import type { AggregateMetric, ColumnProfile, DatasetProfile, MetricCheck, SqlValue, ValueCount } from "./check.js";
import type { ColumnInfo, ColumnStatistics } from "./connection.js";

/** Columns beyond this many are listed without figures: one scan's SELECT list stays bounded. */
export const profiledColumnLimit = 200;
const topSize = 5;

/** How one column's figures are read back from the scan's row: the alias of each aggregate. */
interface ColumnPlan {
  name: string;
  type: string;
  shape: ProfileShape;
  /** A date column: its min and max as `YYYY-MM-DD` (a driver may hand a date over as a midnight timestamp). */
  date: boolean;
  /** False past `profiledColumnLimit`: listed, no aggregates. */
  profiled: boolean;
  nulls?: string;
  min?: string;
  max?: string;
  mean?: string;
  trues?: string;
  /** A uniqueness check's duplicates over this column alone: distinct = rows − nulls − duplicates. */
  duplicates?: string;
  /** What the engine keeps about the column without a scan (exact figures replace aggregates). */
  statistics?: ColumnStatistics;
}

/** A dataset's profile as aliases into its scan's row. */
export interface ProfilePlan {
  columns: ColumnPlan[];
  /** Columns introspection found (more than `columns` profiled when over the limit). */
  total: number;
}

/**
 * Plans the profile of one dataset as aggregate items over its scan. `item` adds a metric to the
 * scan (or finds the one a check already put there) and returns its alias; `existing` only finds
 * one. What the checks already compute (nulls, a single-column uniqueness check) is reused, and
 * what the engine's `statistics` state exactly (a Parquet footer's null counts, min and max) is
 * not computed at all: the profile pays in the scan only for what neither gives.
 */
export function planProfile(
  columns: readonly ColumnInfo[],
  checks: readonly MetricCheck[],
  dialect: Dialect,
  item: (metric: AggregateMetric) => string,
  existing: (metric: AggregateMetric) => string | undefined,
  aliasOfCheck: (check: MetricCheck) => string | undefined,
  statistics?: ReadonlyMap<string, ColumnStatistics>,
): ProfilePlan {
  const same = (a: string, b: string) =>
    a === b || (dialect.capabilities.caseInsensitiveIdentifiers && a.toLowerCase() === b.toLowerCase());
  const plans = columns.map((c, i): ColumnPlan => {
    const shape = dialect.profileShape(c.type);
    const date = dialect.logicalTypeOf(c.type) === "date";
    const plan: ColumnPlan = { name: c.name, type: c.type, shape, date, profiled: i < profiledColumnLimit };
    if (!plan.profiled) return plan;
    const property = c.name;
    const stats = statistics?.get(c.name);
    if (stats !== undefined) plan.statistics = stats;
    const nulls: AggregateMetric = { kind: "nullCount", property };
    const exactNulls = typeof stats?.nulls === "number";
    const nullsAlias = exactNulls ? existing(nulls) : item(nulls);
    if (nullsAlias !== undefined) plan.nulls = nullsAlias;
    if (shape !== "nullsOnly" && shape !== "boolean" && stats?.range === undefined) {
      plan.min = item({ kind: "minValue", property });
      plan.max = item({ kind: "maxValue", property });
    }
    for (const check of checks) {
      const m = check.metric;
      if (m.kind === "duplicateCount" && m.properties.length === 1 && same(m.properties[0] ?? "", c.name))
        plan.duplicates ??= aliasOfCheck(check);
    }
    // A unique column is a key: its mean says nothing, and `avg` is the dearest aggregate left.
    if (shape === "numeric" && plan.duplicates === undefined) plan.mean = item({ kind: "meanValue", property });
    if (shape === "boolean") plan.trues = item({ kind: "trueCount", property });
    return plan;
  });
  return { columns: plans, total: columns.length };
}

const count = (v: SqlValue | undefined): number | null => {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** Numbers as numbers (a DECIMAL may arrive as text), unless not exact in a JavaScript number. */
function figure(v: SqlValue | undefined, shape: ProfileShape): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return String(v);
  if (shape === "numeric") {
    const n = Number(v);
    if (/^-?\d+(\.\d+)?$/.test(v) && Number.isFinite(n) && v.replace(/[-.]/g, "").replace(/^0+/, "").length <= 15)
      return n;
  }
  return v;
}

const topOf = (counts: ValueCount[]): ValueCount[] =>
  counts
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, topSize);

/** A profile with every figure null: the scan failed, or the column is past the limit. */
export function blankColumn(name: string, type: string): ColumnProfile {
  return {
    name,
    type,
    nulls: null,
    nullRate: null,
    distinct: null,
    distinctApproximate: false,
    min: null,
    max: null,
    mean: null,
    top: null,
  };
}

/** Reads a dataset's profile from its scan's row and the engine's statistics planned with it. */
export function readProfile(
  dataset: string,
  plan: ProfilePlan,
  row: Readonly<Record<string, SqlValue>> | undefined,
  rows: number | null,
): DatasetProfile {
  const columns = plan.columns.map((c): ColumnProfile => {
    const out = blankColumn(c.name, c.type);
    if (row === undefined || !c.profiled) return out;
    const at = (alias: string | undefined) => (alias === undefined ? undefined : row[alias]);
    const stats = c.statistics;
    out.nulls = c.nulls !== undefined ? count(at(c.nulls)) : (stats?.nulls ?? null);
    out.nullRate = out.nulls !== null && rows !== null && rows > 0 ? out.nulls / rows : null;
    const day = (v: string | number | null) =>
      c.date && typeof v === "string" && /^\d{4}-\d{2}-\d{2}T00:00:00(\.0+)?Z$/.test(v) ? v.slice(0, 10) : v;
    const range = stats?.range;
    out.min = day(figure(range ? range.min : at(c.min), c.shape));
    out.max = day(figure(range ? range.max : at(c.max), c.shape));
    out.mean = count(at(c.mean));
    const present = out.nulls !== null && rows !== null ? rows - out.nulls : null;
    const duplicates = count(at(c.duplicates));
    if (duplicates !== null && present !== null) out.distinct = present - duplicates;
    const trues = count(at(c.trues));
    if (trues !== null && present !== null) {
      out.top = topOf([
        { value: "true", count: trues },
        { value: "false", count: present - trues },
      ]);
      out.distinct = out.top.length;
    }
    if (stats !== undefined) {
      if (out.distinct === null && typeof stats.distinct === "number") {
        const d = stats.distinct < 0 ? Math.round(-stats.distinct * (present ?? 0)) : Math.round(stats.distinct);
        out.distinct = present === null ? d : Math.min(d, present);
        out.distinctApproximate = true;
      }
      if (out.top === null && stats.top && stats.top.length > 0 && rows !== null)
        out.top = stats.top.slice(0, topSize).map((t) => ({ value: t.value, count: Math.round(t.share * rows) }));
    }
    return out;
  });
  const profile: DatasetProfile = { dataset, rows, columns };
  if (plan.total > profiledColumnLimit)
    profile.reason = `profiled the first ${profiledColumnLimit} of ${plan.total} columns; the others are listed without figures`;
  return profile;
}

/** A dataset whose scan ran without the profile: its columns listed, its figures null, and why. */
export function failedProfile(dataset: string, plan: ProfilePlan, rows: number | null, reason: string): DatasetProfile {
  return { dataset, rows, columns: plan.columns.map((c) => blankColumn(c.name, c.type)), reason };
}
